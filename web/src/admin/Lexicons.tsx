import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, ok } from '../api/client.ts';
import type { LexiconView } from '../api/views.ts';
import { Table } from '../components/Table.tsx';
import { Time } from '../components/Time.tsx';
import { messages, useNumber, useT } from '../i18n/i18n.tsx';
import { useSession } from '../session.tsx';
import { keys, useItems } from './queries.ts';
import { AdminPage, Field, FormPanel, ListPanel, SelectField, Success } from './shared.tsx';
import { LEXICON_FORMATS } from './types.ts';

const m = messages(
  {
    loadedLists: 'Lexicons loaded',
    name: 'Name',
    revision: 'Revision',
    terms: 'Terms',
    loadedAt: 'Loaded',
    loadedBy: 'Loaded by',
    none: 'No lexicon is loaded: the priority rules use no indicator terms.',
    load: 'Load a lexicon',
    loadHelp:
      'A lexicon of this name is replaced. Its terms are stored for matching and never shown again here.',
    nameHint: 'lower-case letters, digits, dot, dash, underscore',
    format: 'Format',
    csv: 'CSV (term,weight lines)',
    json: 'JSON ({"terms":[{"term","weight"}]})',
    file: 'File',
    fileHint: 'or paste the content below',
    content: 'Content',
    submit: 'Load lexicon',
    loading: 'Loading…',
    loaded: 'Lexicon “{name}” loaded: {terms} terms, revision {revision}.',
  },
  {
    loadedLists: 'Lessici caricati',
    name: 'Nome',
    revision: 'Revisione',
    terms: 'Termini',
    loadedAt: 'Caricato il',
    loadedBy: 'Caricato da',
    none: 'Nessun lessico è caricato: le regole di priorità non usano termini indicatori.',
    load: 'Carica un lessico',
    loadHelp:
      'Un lessico con questo nome viene sostituito. I suoi termini sono conservati per il confronto e qui non vengono più mostrati.',
    nameHint: 'lettere minuscole, cifre, punto, trattino, trattino basso',
    format: 'Formato',
    csv: 'CSV (righe termine,peso)',
    json: 'JSON ({"terms":[{"term","weight"}]})',
    file: 'File',
    fileHint: 'oppure incolla il contenuto qui sotto',
    content: 'Contenuto',
    submit: 'Carica lessico',
    loading: 'Caricamento…',
    loaded: 'Lessico «{name}» caricato: {terms} termini, revisione {revision}.',
  },
);

export default function Lexicons() {
  const t = useT(m);
  const num = useNumber();
  const session = useSession();
  const list = useItems<LexiconView>(keys.lexicons, () => api.GET('/api/v1/lexicons'));
  return (
    <AdminPage section="lexicons">
      <ListPanel title={t('loadedLists')} query={list} empty={t('none')}>
        {(items) => (
          <Table
            head={[
              t('name'),
              { label: t('revision'), num: true },
              { label: t('terms'), num: true },
              t('loadedAt'),
              t('loadedBy'),
            ]}
          >
            {items.map((l) => (
              <tr key={l.name}>
                <th scope="row">{l.name}</th>
                <td className="num">{num(l.revision)}</td>
                <td className="num">{num(l.terms)}</td>
                <td>
                  <Time value={l.loadedAt} />
                </td>
                <td>{l.loadedBy}</td>
              </tr>
            ))}
          </Table>
        )}
      </ListPanel>
      {session.can('rules.write') && <LoadLexicon />}
    </AdminPage>
  );
}

const FIELDS = ['name', 'format', 'content'] as const;

function LoadLexicon() {
  const t = useT(m);
  const num = useNumber();
  const queries = useQueryClient();
  const [name, setName] = useState('');
  const [format, setFormat] = useState<'csv' | 'json'>('csv');
  const [content, setContent] = useState('');
  const load = useMutation({
    mutationFn: () =>
      ok<LexiconView>(
        api.PUT('/api/v1/lexicons/{name}', {
          params: { path: { name: name.trim() } },
          body: { format, content },
        }),
      ),
    onSuccess: () => void queries.invalidateQueries({ queryKey: keys.lexicons }),
  });
  const err = load.error;
  const done = load.data;
  return (
    <FormPanel
      title={t('load')}
      help={t('loadHelp')}
      submit={t('submit')}
      busy={t('loading')}
      pending={load.isPending}
      onSubmit={() => load.mutate()}
      error={err}
      fields={FIELDS}
      outcome={
        done && (
          <Success>
            {t('loaded', { name: done.name, terms: num(done.terms), revision: num(done.revision) })}
          </Success>
        )
      }
    >
      <Field label={t('name')} hint={t('nameHint')} error={err} field="name">
        {(p) => (
          <input {...p} value={name} required maxLength={63} onChange={(e) => setName(e.target.value)} />
        )}
      </Field>
      <SelectField
        label={t('format')}
        field="format"
        error={err}
        value={format}
        onChange={setFormat}
        options={LEXICON_FORMATS.map((f) => [f, t(f)] as const)}
      />
      <Field label={t('file')} hint={t('fileHint')} error={undefined} field="file">
        {(p) => (
          <input
            {...p}
            type="file"
            accept=".csv,.json,.txt,text/csv,application/json,text/plain"
            onChange={(e) => {
              const f = e.target.files?.[0];
              if (!f) return;
              if (f.name.endsWith('.json')) setFormat('json');
              void f.text().then(setContent);
            }}
          />
        )}
      </Field>
      <Field label={t('content')} error={err} field="content" wide>
        {(p) => (
          <textarea
            {...p}
            className="mono"
            rows={8}
            spellCheck={false}
            value={content}
            onChange={(e) => setContent(e.target.value)}
          />
        )}
      </Field>
    </FormPanel>
  );
}
