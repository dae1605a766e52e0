import { useLocale } from '../i18n/i18n.tsx';

const formats = new Map<string, Intl.DateTimeFormat>();

function formatOf(locale: string, dateOnly: boolean): Intl.DateTimeFormat {
  const key = `${locale}:${dateOnly}`;
  let f = formats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(
      locale,
      dateOnly ? { dateStyle: 'medium' } : { dateStyle: 'medium', timeStyle: 'short' },
    );
    formats.set(key, f);
  }
  return f;
}

/** A moment in the user's time zone and language; the exact UTC time on hover (and for screen readers). */
export function Time({ value, dateOnly = false }: { value: string | null | undefined; dateOnly?: boolean }) {
  const { locale } = useLocale();
  if (!value) return <span>—</span>;
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return <span>{value}</span>;
  const utc = `${d
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, '')} UTC`;
  return (
    <time dateTime={d.toISOString()} title={utc}>
      {formatOf(locale, dateOnly).format(d)}
    </time>
  );
}
