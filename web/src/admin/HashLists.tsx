import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { api, ok } from '../api/client.ts';
import { Empty, ErrorMessage, QueryState } from '../components/states.tsx';
import { Time } from '../components/Time.tsx';
import { messages, useNumber, useT } from '../i18n/i18n.tsx';
import { useSession } from '../session.tsx';
import { keys } from './queries.ts';
import { AdminPage, contentProblems, Field, ProblemList, sm, uploadFile, useBytes } from './shared.tsx';
import { HASHLIST_FORMATS, SCHEMES, type HashListImported, type HashListView, type Items } from './types.ts';

const m = messages(
  {
    lists: 'Lists in use',
    count: '{n} lists',
    countOne: '{n} list',
    name: 'Name',
    version: 'Version',
    type: 'Type',
    known: 'Known material',
    negative: 'Known benign',
    format: 'Format',
    scheme: 'Category scheme',
    entries: 'Entries',
    skipped: 'Skipped',
    file: 'File SHA-256',
    imported: 'Last import',
    by: 'by {who}',
    none: 'No hash list is loaded yet: files are not matched against known material.',
    import: 'Import a list',
    importHelp:
      'A new file replaces the list of that name as a new version, atomically: a refused file changes nothing.',
    fileField: 'List file',
    fileHint: 'VICS JSON (1.x or 2.0) or CSV with a header hash_type,hash,category',
    nameField: 'List name',
    nameHint: 'letters, digits, dot, dash, underscore; an existing list of this name is replaced',
    formatField: 'Format',
    detect: 'Detect from the content',
    csv: 'CSV',
    vics: 'VICS JSON',
    schemeField: 'Category scheme',
    schemeHint: 'of the codes in a CSV without a scheme column (or to override a VICS profile)',
    noScheme: 'As in the file',
    negativeField: 'Known benign list: its matches suppress others',
    submit: 'Import',
    importing: 'Importing…',
    chooseFile: 'Choose a file to import.',
    progress: 'Upload progress',
    sending: 'Sending {sent} of {total} ({pct}%)',
    checking: 'Sent {total}. Conduit is checking every entry…',
    done: 'Imported “{name}”, version {version}: {entries} entries.',
    skippedNote: '{n} entries skipped: they carry no hash Conduit can match.',
    ignoredNote: 'Hashes of kinds Conduit does not match were ignored: {kinds}.',
    refused: 'The file was refused, with {n} problems: nothing was imported, the list in force is unchanged.',
    refusedOne: 'The file was refused, with a problem: nothing was imported, the list in force is unchanged.',
    wholeFile: '(the whole file)',
    uploaded: 'Uploaded {total}.',
  },
  {
    lists: 'Liste in uso',
    count: '{n} liste',
    countOne: '{n} lista',
    name: 'Nome',
    version: 'Versione',
    type: 'Tipo',
    known: 'Materiale noto',
    negative: 'Benigno noto',
    format: 'Formato',
    scheme: 'Schema di categorie',
    entries: 'Voci',
    skipped: 'Saltate',
    file: 'SHA-256 del file',
    imported: 'Ultima importazione',
    by: 'da {who}',
    none: 'Nessuna lista di hash è caricata: i file non sono confrontati con materiale noto.',
    import: 'Importa una lista',
    importHelp:
      'Un nuovo file sostituisce la lista con quel nome come nuova versione, in modo atomico: un file rifiutato non cambia nulla.',
    fileField: 'File della lista',
    fileHint: 'VICS JSON (1.x o 2.0) o CSV con intestazione hash_type,hash,category',
    nameField: 'Nome della lista',
    nameHint: 'lettere, cifre, punto, trattino, trattino basso; una lista con questo nome viene sostituita',
    formatField: 'Formato',
    detect: 'Rileva dal contenuto',
    csv: 'CSV',
    vics: 'VICS JSON',
    schemeField: 'Schema di categorie',
    schemeHint: 'dei codici di un CSV senza colonna scheme (o per sostituire un profilo VICS)',
    noScheme: 'Come nel file',
    negativeField: 'Lista di benigni noti: le sue corrispondenze sopprimono le altre',
    submit: 'Importa',
    importing: 'Importazione in corso…',
    chooseFile: 'Scegli un file da importare.',
    progress: 'Avanzamento del caricamento',
    sending: 'Inviati {sent} di {total} ({pct}%)',
    checking: 'Inviati {total}. Conduit sta controllando ogni voce…',
    done: 'Importata «{name}», versione {version}: {entries} voci.',
    skippedNote: '{n} voci saltate: non hanno un hash che Conduit possa confrontare.',
    ignoredNote: 'Ignorati gli hash di tipi che Conduit non confronta: {kinds}.',
    refused:
      'Il file è stato rifiutato, con {n} problemi: nulla è stato importato, la lista in vigore non cambia.',
    refusedOne:
      'Il file è stato rifiutato, con un problema: nulla è stato importato, la lista in vigore non cambia.',
    wholeFile: '(l’intero file)',
    uploaded: 'Caricati {total}.',
  },
);

export default function HashLists() {
  const t = useT(m);
  const s = useT(sm);
  const num = useNumber();
  const session = useSession();
  const lists = useQuery({
    queryKey: keys.hashlists,
    queryFn: async () => (await ok<Items<HashListView>>(api.GET('/api/v1/hashlists'))).items,
  });
  return (
    <AdminPage title={s('hashlists')}>
      <p className="muted">{s('hashlistsAbout')}</p>
      <section className="panel" aria-labelledby="lists-h">
        <h2 id="lists-h">{t('lists')}</h2>
        <QueryState query={lists}>
          {(items) =>
            items.length === 0 ? (
              <Empty>{t('none')}</Empty>
            ) : (
              <>
                <p className="muted">
                  {t(items.length === 1 ? 'countOne' : 'count', { n: num(items.length) })}
                </p>
                <div className="table-wrap">
                  <table>
                    <thead>
                      <tr>
                        <th scope="col">{t('name')}</th>
                        <th scope="col">{t('version')}</th>
                        <th scope="col">{t('type')}</th>
                        <th scope="col">{t('format')}</th>
                        <th scope="col">{t('scheme')}</th>
                        <th scope="col" className="num">
                          {t('entries')}
                        </th>
                        <th scope="col" className="num">
                          {t('skipped')}
                        </th>
                        <th scope="col">{t('imported')}</th>
                        <th scope="col">{t('file')}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {items.map((l) => (
                        <tr key={l.id} data-list={l.name}>
                          <th scope="row">{l.name}</th>
                          <td className="num">{num(l.version)}</td>
                          <td>{l.negative ? t('negative') : t('known')}</td>
                          <td>{l.format}</td>
                          <td>{l.scheme ?? '—'}</td>
                          <td className="num">{num(l.entries)}</td>
                          <td className="num">{num(l.skipped)}</td>
                          <td>
                            <Time value={l.importedAt} />
                            <br />
                            <span className="muted">{t('by', { who: l.importedBy })}</span>
                          </td>
                          <td>
                            <code className="hash" title={l.fileSha256}>
                              {l.fileSha256.slice(0, 16)}…
                            </code>
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              </>
            )
          }
        </QueryState>
      </section>
      {session.can('hashlist.write') && <ImportList />}
    </AdminPage>
  );
}

/** A list name the server accepts, from a file name (`My list (2).csv` → `My-list-2`). */
function nameFromFile(file: string): string {
  return file
    .replace(/\.[^.]+$/, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .replace(/-+$/, '')
    .slice(0, 100);
}

type Progress = { sent: number; total: number; phase: 'sending' | 'checking' };

function ImportList() {
  const t = useT(m);
  const num = useNumber();
  const bytes = useBytes();
  const id = useId();
  const queries = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [name, setName] = useState('');
  const [format, setFormat] = useState('');
  const [scheme, setScheme] = useState('');
  const [negative, setNegative] = useState(false);
  const [missing, setMissing] = useState(false);
  const [progress, setProgress] = useState<Progress | null>(null);
  const run = useMutation({
    mutationFn: (f: File) => {
      const q = new URLSearchParams({ name: name.trim() });
      if (format) q.set('format', format);
      if (scheme) q.set('scheme', scheme);
      if (negative) q.set('negative', 'true');
      setProgress({ sent: 0, total: f.size, phase: 'sending' });
      return uploadFile<HashListImported>({
        method: 'POST',
        url: `/api/v1/hashlists?${q.toString()}`,
        file: f,
        contentType: f.type || (f.name.endsWith('.json') ? 'application/json' : 'text/csv'),
        onProgress: (sent, total) => setProgress({ sent, total, phase: 'sending' }),
        onSent: () => setProgress({ sent: f.size, total: f.size, phase: 'checking' }),
      });
    },
    onSettled: () => void queries.invalidateQueries({ queryKey: keys.hashlists }),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!file) {
      setMissing(true);
      return;
    }
    run.mutate(file);
  };
  const err = run.error;
  const pct = progress && progress.total > 0 ? Math.round((progress.sent / progress.total) * 100) : 0;
  const result = run.data;
  return (
    <section className="panel" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>{t('import')}</h2>
      <p className="muted">{t('importHelp')}</p>
      <form onSubmit={submit} className="form-grid" noValidate>
        <Field label={t('fileField')} hint={t('fileHint')} error={undefined} field="file">
          {(p) => (
            <input
              {...p}
              type="file"
              accept=".csv,.json,text/csv,application/json"
              aria-invalid={missing || undefined}
              onChange={(e) => {
                const f = e.target.files?.[0] ?? null;
                setFile(f);
                setMissing(false);
                if (f && !name) setName(nameFromFile(f.name));
              }}
            />
          )}
        </Field>
        <Field label={t('nameField')} hint={t('nameHint')} error={err} field="name">
          {(p) => (
            <input {...p} value={name} required maxLength={100} onChange={(e) => setName(e.target.value)} />
          )}
        </Field>
        <Field label={t('formatField')} error={err} field="format">
          {(p) => (
            <select {...p} value={format} onChange={(e) => setFormat(e.target.value)}>
              <option value="">{t('detect')}</option>
              {HASHLIST_FORMATS.map((f) => (
                <option key={f} value={f}>
                  {t(f)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('schemeField')} hint={t('schemeHint')} error={err} field="scheme">
          {(p) => (
            <select {...p} value={scheme} onChange={(e) => setScheme(e.target.value)}>
              <option value="">{t('noScheme')}</option>
              {SCHEMES.map((sc) => (
                <option key={sc} value={sc}>
                  {sc}
                </option>
              ))}
            </select>
          )}
        </Field>
        <label className="check">
          <input type="checkbox" checked={negative} onChange={(e) => setNegative(e.target.checked)} />
          {t('negativeField')}
        </label>
        <div className="form-actions">
          <button type="submit" className="primary" disabled={run.isPending}>
            {run.isPending ? t('importing') : t('submit')}
          </button>
        </div>
      </form>
      {missing && (
        <p role="alert" className="error">
          {t('chooseFile')}
        </p>
      )}
      {progress && (
        <div className="upload-progress">
          <label htmlFor={`${id}-progress`}>{t('progress')}</label>
          <progress id={`${id}-progress`} max={100} value={pct} aria-valuetext={`${pct}%`} />
          <p role="status" aria-live="polite">
            {!run.isPending
              ? t('uploaded', { total: bytes(progress.total) })
              : progress.phase === 'checking'
                ? t('checking', { total: bytes(progress.total) })
                : t('sending', { sent: bytes(progress.sent), total: bytes(progress.total), pct })}
          </p>
        </div>
      )}
      {result && !run.isPending && (
        <div role="status" className="success result">
          <p>
            <strong>
              {t('done', {
                name: result.list.name,
                version: num(result.list.version),
                entries: num(result.entries),
              })}
            </strong>
          </p>
          {result.skipped > 0 && <p>{t('skippedNote', { n: num(result.skipped) })}</p>}
          {Object.keys(result.ignored).length > 0 && (
            <p>
              {t('ignoredNote', {
                kinds: Object.entries(result.ignored)
                  .map(([k, n]) => `${k} (${num(n)})`)
                  .join(', '),
              })}
            </p>
          )}
        </div>
      )}
      {err && !run.isPending && <Refusal error={err} />}
    </section>
  );
}

/** A refused import: each problem with its line, or the usual message for a refusal of the person. */
function Refusal({ error }: { error: unknown }) {
  const t = useT(m);
  const problems = contentProblems(error);
  if (!problems) return <ErrorMessage error={error} />;
  return (
    <ProblemList
      title={problems.length === 1 ? t('refusedOne') : t('refused', { n: problems.length })}
      problems={problems}
      whole={t('wholeFile')}
    />
  );
}
