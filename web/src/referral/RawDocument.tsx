import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { QueryState } from '../components/states.tsx';
import { useNumber, useT } from '../i18n/i18n.tsx';
import { rawDocument } from './api.ts';
import { Facts } from './Facts.tsx';
import { referralWords } from './messages.ts';

/** The document exactly as submitted, fetched only when the analyst opens it (each opening is audited). */
export function RawDocument({ id }: { id: string }) {
  const t = useT(referralWords);
  const [open, setOpen] = useState(false);
  return (
    <details className="panel raw" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>{t('rawTitle')}</summary>
      {open && <RawBody id={id} />}
    </details>
  );
}

function RawBody({ id }: { id: string }) {
  const t = useT(referralWords);
  const n = useNumber();
  const q = useQuery({ queryKey: ['referral-raw', id], queryFn: () => rawDocument(id), staleTime: Infinity });
  return (
    <QueryState query={q}>
      {(raw) => (
        <>
          <Facts
            rows={[
              [t('rawMeta'), <span className="mono">{raw.mediaType}</span>],
              [t('rawSize'), t('bytes', { n: n(raw.size) })],
              [t('rawSha'), <span className="mono">{raw.sha256}</span>],
            ]}
          />
          <RawParts text={raw.text} />
        </>
      )}
    </QueryState>
  );
}

/**
 * A CyberTipline submission is kept as its XML documents bundled in JSON (`report`, `fileDetails`): each
 * is shown verbatim on its own. Anything else is shown exactly as stored.
 */
function partsOf(text: string): { part: 'report' | 'file' | ''; n: number; text: string }[] {
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v === 'object' && v !== null && 'report' in v && typeof v.report === 'string') {
      const files = 'fileDetails' in v && Array.isArray(v.fileDetails) ? (v.fileDetails as unknown[]) : [];
      return [
        { part: 'report' as const, n: 0, text: v.report },
        ...files.flatMap((f, i) =>
          typeof f === 'string' ? [{ part: 'file' as const, n: i + 1, text: f }] : [],
        ),
      ];
    }
  } catch {
    // not JSON: shown as it is
  }
  return [{ part: '', n: 0, text }];
}

function RawParts({ text }: { text: string }) {
  const t = useT(referralWords);
  const n = useNumber();
  const parts = partsOf(text).map((p) => ({
    name: p.part === 'report' ? t('rawPartReport') : p.part === 'file' ? t('rawPartFile', { n: n(p.n) }) : '',
    text: p.text,
  }));
  return (
    <>
      {parts.map((p, i) => (
        <div key={i}>
          {p.name && <h3 className="raw-part">{p.name}</h3>}
          <pre
            className="raw-text"
            tabIndex={0}
            aria-label={p.name ? `${t('rawTitle')}: ${p.name}` : t('rawTitle')}
          >
            {p.text}
          </pre>
        </div>
      ))}
    </>
  );
}
