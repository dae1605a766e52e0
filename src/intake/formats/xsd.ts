import { readFile } from 'node:fs/promises';
import { memoryPages, validateXML } from 'xmllint-wasm';
import { problem, type Problem } from '../../domain/errors.ts';

/** NCMEC's schema, vendored with its provenance in vendor/ncmec/ so `--strict` works from a fresh clone. */
const XSD_URL = new URL('../../../vendor/ncmec/cyber_tipline.xsd', import.meta.url);

let xsdText: Promise<string> | undefined;

function loadXsd(): Promise<string> {
  xsdText ??= readFile(XSD_URL, 'utf8').catch((e: unknown) => {
    // A failed read is an outage, not a verdict on the input: forget it so the next call retries.
    xsdText = undefined;
    throw e;
  });
  return xsdText;
}

const DOCTYPE = /<!DOCTYPE/i;
const NAME_END = /[\s/>]/;

/** The first element name after the prolog (declaration, comments, processing instructions, white space). */
function rootName(xml: string): string | undefined {
  let i = xml.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (;;) {
    while (i < xml.length && xml.charCodeAt(i) <= 0x20) i++;
    const close = xml.startsWith('<?', i) ? '?>' : xml.startsWith('<!--', i) ? '-->' : undefined;
    if (close === undefined) break;
    const end = xml.indexOf(close, i + 2);
    if (end < 0) return undefined;
    i = end + close.length;
  }
  if (xml.charCodeAt(i) !== 0x3c) return undefined;
  const rest = xml.slice(i + 1, i + 200);
  const end = rest.search(NAME_END);
  return end < 0 ? rest : rest.slice(0, end);
}

/**
 * Validates one CyberTipline document against NCMEC's XSD with libxml2 (xmllint-wasm). Slow (a worker
 * per call): for tests, and for `--strict` ingest on top of the fast path in `cybertipline.ts`.
 * Resolves to no problems when the document is valid and its root element is `kind`.
 */
export async function validateWithXsd(
  xml: string,
  kind: 'report' | 'fileDetails',
): Promise<readonly Problem[]> {
  const root = `/${kind}`;
  // Never let libxml2 see a DTD: entity expansion is refused before any parser runs, as on the fast path.
  if (DOCTYPE.test(xml)) {
    return [
      problem(
        'doctype_forbidden',
        root,
        'a <!DOCTYPE> declaration is not accepted (entities are never expanded)',
      ),
    ];
  }
  // The schema declares every element globally, so libxml2 would accept e.g. a bare <incidentSummary>.
  const name = rootName(xml);
  if (name !== undefined && name !== kind) {
    return [problem('schema_violation', root, `the root element must be <${kind}>, found <${name}>`)];
  }
  const result = await validateXML({
    xml: { fileName: `${kind}.xml`, contents: xml },
    schema: { fileName: 'cyber_tipline.xsd', contents: await loadXsd() },
    // The 32 MiB default is too little for a tree of a multi-megabyte report; memory grows only as needed.
    maxMemoryPages: 512 * memoryPages.MiB,
  });
  if (result.valid) return [];
  const problems = result.errors.map((e) =>
    problem('schema_violation', root, e.loc ? `line ${e.loc.lineNumber}: ${e.message}` : e.message),
  );
  return problems.length > 0
    ? problems
    : [problem('schema_violation', root, result.rawOutput.trim() || 'invalid')];
}
