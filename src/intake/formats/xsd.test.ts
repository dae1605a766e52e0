import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateWithXsd } from './xsd.ts';

const EXAMPLES = new URL('../../../../shared/reference/cybertipline/examples/', import.meta.url);
const STEMS = ['example-01-chatim-enticement', 'example-02-webpage-upload', 'example-03-batched-viral'];

function example(stem: string, kind: 'report' | 'fileDetails'): string {
  return readFileSync(new URL(`${stem}.${kind}.xml`, EXAMPLES), 'utf8');
}

describe('validateWithXsd', () => {
  it.each(STEMS)('accepts the reference example %s (report and fileDetails)', async (stem) => {
    expect(await validateWithXsd(example(stem, 'report'), 'report')).toEqual([]);
    expect(await validateWithXsd(example(stem, 'fileDetails'), 'fileDetails')).toEqual([]);
  });

  it('refuses an out-of-order element as schema_violation with its line', async () => {
    const xml = example(STEMS[0] as string, 'report').replace(
      '<espIdentifier>usr_7f3a9c2e10</espIdentifier>\n    <espService>ExampleChat Messenger</espService>',
      '<espService>ExampleChat Messenger</espService>\n    <espIdentifier>usr_7f3a9c2e10</espIdentifier>',
    );
    const problems = await validateWithXsd(xml, 'report');
    expect(problems).toEqual([
      {
        code: 'schema_violation',
        path: '/report',
        message: expect.stringMatching(/^line 62: .*espIdentifier.*not expected/) as unknown,
      },
    ]);
  });

  it('refuses a document whose root is another global element of the schema', async () => {
    const problems = await validateWithXsd(
      '<?xml version="1.0"?>\n<!-- c --><?pi x?>\n<incidentSummary/>',
      'report',
    );
    expect(problems).toEqual([
      {
        code: 'schema_violation',
        path: '/report',
        message: 'the root element must be <report>, found <incidentSummary>',
      },
    ]);
    expect(await validateWithXsd(example(STEMS[1] as string, 'report'), 'fileDetails')).toHaveLength(1);
  });

  it('refuses a DOCTYPE before libxml2 sees it', async () => {
    const xml = `<!DOCTYPE report [<!ENTITY x "y">]>${example(STEMS[2] as string, 'report').replace(/^<\?xml[^>]*>/, '')}`;
    expect(await validateWithXsd(xml, 'report')).toEqual([
      { code: 'doctype_forbidden', path: '/report', message: expect.any(String) as unknown },
    ]);
  });

  it('reports XML that is not well-formed as a schema_violation with its line', async () => {
    const problems = await validateWithXsd(
      '<fileDetails>\n<reportId>1</reportId>\n<fileId>a</fileID>\n</fileDetails>',
      'fileDetails',
    );
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]).toMatchObject({ code: 'schema_violation', path: '/fileDetails' });
    expect(problems[0]?.message).toMatch(/^line 3: /);
  });
});
