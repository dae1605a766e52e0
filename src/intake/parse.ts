import type { Problem } from '../domain/errors.ts';
import { parseCanonical } from './formats/canonical.ts';
import { parseCyberTipline } from './formats/cybertipline.ts';
import { seal, type Submission } from './intake.service.ts';
import type { Unit } from './sources.ts';
import { problem } from '../domain/errors.ts';

export type ParsedUnit =
  | { readonly kind: 'ok'; readonly input: string; readonly submission: Submission }
  | { readonly kind: 'rejected'; readonly input: string; readonly problems: readonly Problem[] };

const BUNDLE = 'application/vnd.conduit.cybertipline-bundle+json';
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Parses one input unit, once, into a submission for the intake service. Pure apart from the clock. */
export function parseUnit(unit: Unit, now: Date): ParsedUnit {
  switch (unit.kind) {
    case 'error':
      return { kind: 'rejected', input: unit.input, problems: [unit.problem] };
    case 'cybertipline': {
      const parsed = parseCyberTipline({ report: unit.report, fileDetails: unit.fileDetails, now });
      if (!parsed.ok) return { kind: 'rejected', input: unit.input, problems: parsed.problems };
      // A report with file details is kept as one verbatim bundle; the XML texts inside are byte-exact
      // (the parser has checked they are UTF-8).
      const raw =
        unit.fileDetails.length === 0
          ? unit.report
          : Buffer.from(
              JSON.stringify({
                report: unit.report.toString('utf8'),
                fileDetails: unit.fileDetails.map((d) => d.toString('utf8')),
              }),
            );
      return {
        kind: 'ok',
        input: unit.input,
        submission: {
          format: 'cybertipline-xml',
          mediaType: unit.fileDetails.length === 0 ? 'application/xml' : BUNDLE,
          raw,
          ...seal(raw),
          document: parsed.value,
          ...(unit.stem !== undefined && { fallbackRef: unit.stem }),
        },
      };
    }
    case 'json': {
      let value: unknown;
      try {
        value = JSON.parse(utf8.decode(unit.bytes));
      } catch (e) {
        return {
          kind: 'rejected',
          input: unit.input,
          problems: [problem('malformed_input', '', `not valid UTF-8 JSON: ${(e as Error).message}`)],
        };
      }
      const parsed = parseCanonical(value);
      if (!parsed.ok) return { kind: 'rejected', input: unit.input, problems: parsed.problems };
      return {
        kind: 'ok',
        input: unit.input,
        submission: {
          format: 'conduit-json',
          mediaType: 'application/json',
          raw: unit.bytes,
          ...seal(unit.bytes),
          document: parsed.value,
          ...(unit.stem !== undefined && { fallbackRef: unit.stem }),
        },
      };
    }
  }
}
