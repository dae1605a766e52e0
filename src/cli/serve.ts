import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { App } from '../app.ts';
import { buildServer } from '../http/server.ts';
import { positiveInt, type CommandContext } from './cli.ts';

export interface ServeOptions {
  readonly port: number;
  readonly host: string;
}

export function serveCommand(program: Command, ctx: CommandContext): void {
  program
    .command('serve')
    .description(
      'serve the web application, the API (docs at /api/docs) and the CyberTipline-compatible intake at /ispws',
    )
    .option('--port <port>', 'port', positiveInt('--port'), 8080)
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .action(async (opts: ServeOptions) => {
      await serve(await ctx.app(), opts, ctx);
    });
}

/** Listens until SIGINT/SIGTERM, then closes cleanly. */
export async function serve(app: App, opts: ServeOptions, ctx: CommandContext): Promise<void> {
  await app.loadHashLists();
  // A list, rule set or organisation added by another process (the CLI, another server) is picked up
  // within half a minute.
  const poll = setInterval(() => {
    const warn = (what: string) => (e: unknown) =>
      ctx.stderr.write(`conduit: ${what} not reloaded: ${e instanceof Error ? e.message : String(e)}\n`);
    app.hashIndex.reloadIfChanged().catch(warn('hash lists'));
    app.rules.reloadIfChanged().catch(warn('rules'));
  }, 30_000);
  poll.unref();
  const { tls } = app.config;
  const loopback = ['127.0.0.1', '::1', 'localhost'].includes(opts.host);
  const server = await buildServer({
    ...app,
    maxInputBytes: app.config.maxInputBytes,
    rateLimit: app.config.rateLimit,
    corsOrigins: app.config.corsOrigins,
    ...(tls && { tls: { cert: readFileSync(tls.certPath), key: readFileSync(tls.keyPath) } }),
    now: () => new Date(),
    logger: false,
    // Plain HTTP on loopback is a workstation (the demo): a Secure cookie would never come back. Elsewhere
    // without TLS, a proxy in front is assumed to terminate it, so the cookie stays Secure.
    secureCookies: Boolean(tls) || !loopback,
  });
  if (!tls && !loopback) {
    ctx.stderr.write(
      `conduit: warning: serving on ${opts.host} without TLS: passwords and sessions cross the network in clear; set CONDUIT_TLS_CERT and CONDUIT_TLS_KEY\n`,
    );
  }
  const address = await server.listen({ port: opts.port, host: opts.host });
  ctx.stdout.write(
    `Conduit is serving on ${address}: open it in a browser to sign in (API docs: ${address}/api/docs)\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  clearInterval(poll);
  await server.close();
}
