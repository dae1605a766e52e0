import { useLocale } from '../i18n/i18n.tsx';

const formats = new Map<string, Intl.DateTimeFormat>();

function formatOf(locale: string, dateOnly: boolean, utc: boolean): Intl.DateTimeFormat {
  const key = `${locale}:${dateOnly}:${utc}`;
  let f = formats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, {
      dateStyle: 'medium',
      ...(!dateOnly && { timeStyle: 'short' }),
      ...(utc && { timeZone: 'UTC' }),
    });
    formats.set(key, f);
  }
  return f;
}

const PLAIN_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A moment in the user's time zone and language, with the exact UTC time on hover and, for screen-reader
 * users, in visually hidden text. A plain calendar date (YYYY-MM-DD, e.g. a register's "since") is no moment:
 * it is shown as that date everywhere, never shifted by the user's zone.
 */
export function Time({ value, dateOnly = false }: { value: string | null | undefined; dateOnly?: boolean }) {
  const { locale } = useLocale();
  if (!value) return <span>—</span>;
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return <span>{value}</span>;
  if (PLAIN_DATE.test(value)) return <time dateTime={value}>{formatOf(locale, true, true).format(d)}</time>;
  const utc = `${d
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, '')} UTC`;
  return (
    <time dateTime={d.toISOString()} title={utc}>
      {formatOf(locale, dateOnly, false).format(d)}
      <span className="sr-only"> ({utc})</span>
    </time>
  );
}
