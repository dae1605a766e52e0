// Worker-thread entry: registers the TypeScript loader (the worker does not inherit it), then serves parses.
import { register } from 'tsx/esm/api';

register();
await import('./parse.worker.ts');
