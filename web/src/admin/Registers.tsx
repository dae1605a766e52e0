import { useState } from 'react';
import { api } from '../api/client.ts';
import { Table } from '../components/Table.tsx';
import { Time } from '../components/Time.tsx';
import { messages, useNumber, useT } from '../i18n/i18n.tsx';
import { useSession } from '../session.tsx';
import { keys, useItems } from './queries.ts';
import {
  AdminPage,
  Field,
  FileField,
  FormPanel,
  ListPanel,
  Success,
  UploadProgress,
  useUpload,
} from './shared.tsx';
import type { RegisterView } from './types.ts';

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
    done: 'Registro «{name}» importato: {entries} voci; {subjects} soggetti corrispondono.',
  },
);

export default function Registers() {
  const t = useT(m);
  const num = useNumber();
  const session = useSession();
  const list = useItems<RegisterView>(keys.registers, () => api.GET('/api/v1/registers'));
  return (
    <AdminPage section="registers">
      <ListPanel title={t('loaded')} query={list} empty={t('none')}>
        {(items) => (
          <Table head={[t('name'), { label: t('entries'), num: true }, t('importedAt')]}>
            {items.map((r) => (
              <tr key={r.name}>
                <th scope="row">{r.name}</th>
                <td className="num">{num(r.entries)}</td>
                <td>
                  <Time value={r.importedAt} />
                </td>
              </tr>
            ))}
          </Table>
        )}
      </ListPanel>
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
  const up = useUpload<Imported>(keys.registers);
  const [name, setName] = useState('');
  const { error: err, data: done, isPending } = up.run;
  return (
    <FormPanel
      title={t('import')}
      help={t('importHelp')}
      submit={t('submit')}
      busy={t('importing')}
      pending={isPending}
      onSubmit={() =>
        up.send(() => ({ method: 'PUT', url: `/api/v1/registers/${encodeURIComponent(name.trim())}` }))
      }
      error={err}
      fields={['name']}
      outcome={
        <>
          <UploadProgress upload={up} />
          {done && (
            <Success>
              {t('done', {
                name: done.name,
                entries: num(done.entries),
                subjects: num(done.subjectsMatched),
              })}
            </Success>
          )}
        </>
      }
    >
      <Field label={t('name')} hint={t('nameHint')} error={err} field="name">
        {(p) => (
          <input {...p} value={name} required maxLength={64} onChange={(e) => setName(e.target.value)} />
        )}
      </Field>
      <FileField upload={up} label={t('file')} />
    </FormPanel>
  );
}
