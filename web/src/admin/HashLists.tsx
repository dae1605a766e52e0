import { useState } from 'react';
import { api } from '../api/client.ts';
import type { HashListView } from '../api/views.ts';
import { ErrorMessage } from '../components/states.tsx';
import { Table } from '../components/Table.tsx';
import { Time } from '../components/Time.tsx';
import { messages, useNumber, useT } from '../i18n/i18n.tsx';
import { useSession } from '../session.tsx';
import { keys, useItems } from './queries.ts';
import {
  AdminPage,
  contentProblems,
  Field,
  FileField,
  FormPanel,
  ListPanel,
  ProblemList,
  SelectField,
  UploadProgress,
  useUpload,
} from './shared.tsx';
import { HASHLIST_FORMATS, SCHEMES, type HashListImported } from './types.ts';

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
    done: 'Imported “{name}”, version {version}: {entries} entries.',
    skippedNote: '{n} entries skipped: they carry no hash Conduit can match.',
    ignoredNote: 'Hashes of kinds Conduit does not match were ignored: {kinds}.',
    refused: 'The file was refused, with {n} problems: nothing was imported, the list in force is unchanged.',
    refusedOne: 'The file was refused, with a problem: nothing was imported, the list in force is unchanged.',
    wholeFile: '(the whole file)',
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
    done: 'Importata «{name}», versione {version}: {entries} voci.',
    skippedNote: '{n} voci saltate: non hanno un hash che Conduit possa confrontare.',
    ignoredNote: 'Ignorati gli hash di tipi che Conduit non confronta: {kinds}.',
    refused:
      'Il file è stato rifiutato, con {n} problemi: nulla è stato importato, la lista in vigore non cambia.',
    refusedOne:
      'Il file è stato rifiutato, con un problema: nulla è stato importato, la lista in vigore non cambia.',
    wholeFile: '(l’intero file)',
  },
);

export default function HashLists() {
  const t = useT(m);
  const num = useNumber();
  const session = useSession();
  const lists = useItems<HashListView>(keys.hashlists, () => api.GET('/api/v1/hashlists'));
  return (
    <AdminPage section="hashlists">
      <ListPanel title={t('lists')} query={lists} empty={t('none')} count={t}>
        {(items) => (
          <Table
            head={[
              t('name'),
              t('version'),
              t('type'),
              t('format'),
              t('scheme'),
              { label: t('entries'), num: true },
              { label: t('skipped'), num: true },
              t('imported'),
              t('file'),
            ]}
          >
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
          </Table>
        )}
      </ListPanel>
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

function ImportList() {
  const t = useT(m);
  const num = useNumber();
  const up = useUpload<HashListImported>(keys.hashlists);
  const [name, setName] = useState('');
  const [format, setFormat] = useState('');
  const [scheme, setScheme] = useState('');
  const [negative, setNegative] = useState(false);
  const submit = () =>
    up.send(() => {
      const q = new URLSearchParams({ name: name.trim() });
      if (format) q.set('format', format);
      if (scheme) q.set('scheme', scheme);
      if (negative) q.set('negative', 'true');
      return { method: 'POST', url: `/api/v1/hashlists?${q.toString()}` };
    });
  const { error: err, data: result, isPending } = up.run;
  return (
    <FormPanel
      title={t('import')}
      help={t('importHelp')}
      submit={t('submit')}
      busy={t('importing')}
      pending={isPending}
      onSubmit={submit}
      outcome={
        <>
          <UploadProgress upload={up} />
          {result && !isPending && (
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
          {err && !isPending && <Refusal error={err} />}
        </>
      }
    >
      <FileField
        upload={up}
        label={t('fileField')}
        hint={t('fileHint')}
        onChoose={(f) => {
          if (!name) setName(nameFromFile(f.name));
        }}
      />
      <Field label={t('nameField')} hint={t('nameHint')} error={err} field="name">
        {(p) => (
          <input {...p} value={name} required maxLength={100} onChange={(e) => setName(e.target.value)} />
        )}
      </Field>
      <SelectField
        label={t('formatField')}
        field="format"
        error={err}
        value={format}
        onChange={setFormat}
        options={[['', t('detect')], ...HASHLIST_FORMATS.map((f) => [f, t(f)] as const)]}
      />
      <SelectField
        label={t('schemeField')}
        hint={t('schemeHint')}
        field="scheme"
        error={err}
        value={scheme}
        onChange={setScheme}
        options={[['', t('noScheme')], ...SCHEMES.map((sc) => [sc, sc] as const)]}
      />
      <label className="check">
        <input type="checkbox" checked={negative} onChange={(e) => setNegative(e.target.checked)} />
        {t('negativeField')}
      </label>
    </FormPanel>
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
