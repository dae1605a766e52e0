import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { api, ok } from '../api/client.ts';
import { Empty, QueryState } from '../components/states.tsx';
import { Time } from '../components/Time.tsx';
import { messages, useNumber, useT } from '../i18n/i18n.tsx';
import { useSession } from '../session.tsx';
import { keys } from './queries.ts';
import { AdminPage, Field, FormError, sm, uploadFile, useBytes } from './shared.tsx';
import type { Items, RegisterView } from './types.ts';

const m = messages(
  {
    loaded: 'Registers loaded',
    name: 'Name',
    entries: 'Entries',
    importedAt: 'Imported',
    none: 'No register is loaded.',
    import: 'Import a register',
    importHelp:
      'CSV with a header row reference,kind,value[,service][,label][,since], or JSON. A register of this name is replaced.',
    nameHint: 'lower-case letters, digits, dot, dash, underscore',
    file: 'Register file',
    submit: 'Import register',
    importing: 'Importing…',
    chooseFile: 'Choose a file to import.',
    progress: 'Upload progress',
    sent: 'Sent {sent} of {total} ({pct}%)',
    done: 'Register “{name}” imported: {entries} entries; {subjects} subjects match.',
  },
  {
    loaded: 'Registri caricati',
    name: 'Nome',
    entries: 'Voci',
    importedAt: 'Importato',
    none: 'Nessun registro è caricato.',
    import: 'Importa un registro',
    importHelp:
      'CSV con intestazione reference,kind,value[,service][,label][,since], o JSON. Un registro con questo nome viene sostituito.',
    nameHint: 'lettere minuscole, cifre, punto, trattino, trattino basso',
    file: 'File del registro',
    submit: 'Importa registro',
    importing: 'Importazione in corso…',
    chooseFile: 'Scegli un file da importare.',
    progress: 'Avanzamento del caricamento',
    sent: 'Inviati {sent} di {total} ({pct}%)',
    done: 'Registro «{name}» importato: {entries} voci; {subjects} soggetti corrispondono.',
  },
);

export default function Registers() {
  const t = useT(m);
  const s = useT(sm);
  const num = useNumber();
  const session = useSession();
  const list = useQuery({
    queryKey: keys.registers,
    queryFn: async () => (await ok<Items<RegisterView>>(api.GET('/api/v1/registers'))).items,
  });
  return (
    <AdminPage title={s('registers')}>
      <p className="muted">{s('registersAbout')}</p>
      <section className="panel" aria-labelledby="reg-h">
        <h2 id="reg-h">{t('loaded')}</h2>
        <QueryState query={list}>
          {(items) =>
            items.length === 0 ? (
              <Empty>{t('none')}</Empty>
            ) : (
              <div className="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">{t('name')}</th>
                      <th scope="col" className="num">
                        {t('entries')}
                      </th>
                      <th scope="col">{t('importedAt')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {items.map((r) => (
                      <tr key={r.name}>
                        <th scope="row">{r.name}</th>
                        <td className="num">{num(r.entries)}</td>
                        <td>
                          <Time value={r.importedAt} />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )
          }
        </QueryState>
      </section>
      {session.can('register.write') && <ImportRegister />}
    </AdminPage>
  );
}

interface Imported {
  readonly name: string;
  readonly entries: number;
  readonly subjectsMatched: number;
}

function ImportRegister() {
  const t = useT(m);
  const num = useNumber();
  const bytes = useBytes();
  const id = useId();
  const queries = useQueryClient();
  const [name, setName] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [missing, setMissing] = useState(false);
  const [progress, setProgress] = useState<{ sent: number; total: number } | null>(null);
  const run = useMutation({
    mutationFn: (f: File) =>
      uploadFile<Imported>({
        method: 'PUT',
        url: `/api/v1/registers/${encodeURIComponent(name.trim())}`,
        file: f,
        contentType: f.name.endsWith('.json') ? 'application/json' : 'text/csv',
        onProgress: (sent, total) => setProgress({ sent, total }),
      }),
    onSettled: () => void queries.invalidateQueries({ queryKey: keys.registers }),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!file) {
      setMissing(true);
      return;
    }
    run.mutate(file);
  };
  const pct = progress && progress.total > 0 ? Math.round((progress.sent / progress.total) * 100) : 0;
  const err = run.error;
  return (
    <section className="panel" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>{t('import')}</h2>
      <p className="muted">{t('importHelp')}</p>
      <form onSubmit={submit} className="form-grid" noValidate>
        <Field label={t('name')} hint={t('nameHint')} error={err} field="name">
          {(p) => (
            <input {...p} value={name} required maxLength={64} onChange={(e) => setName(e.target.value)} />
          )}
        </Field>
        <Field label={t('file')} error={undefined} field="file">
          {(p) => (
            <input
              {...p}
              type="file"
              accept=".csv,.json,text/csv,application/json"
              aria-invalid={missing || undefined}
              onChange={(e) => {
                setFile(e.target.files?.[0] ?? null);
                setMissing(false);
              }}
            />
          )}
        </Field>
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
          <progress id={`${id}-progress`} max={100} value={pct} />
          <p role="status">{t('sent', { sent: bytes(progress.sent), total: bytes(progress.total), pct })}</p>
        </div>
      )}
      {!run.isPending && <FormError error={err} fields={['name']} />}
      {run.data && !run.isPending && (
        <p role="status" className="success">
          {t('done', {
            name: run.data.name,
            entries: num(run.data.entries),
            subjects: num(run.data.subjectsMatched),
          })}
        </p>
      )}
    </section>
  );
}
