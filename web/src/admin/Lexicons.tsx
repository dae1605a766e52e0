import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { api, ok } from '../api/client.ts';
import { Empty, QueryState } from '../components/states.tsx';
import { Time } from '../components/Time.tsx';
import { messages, useNumber, useT } from '../i18n/i18n.tsx';
import { useSession } from '../session.tsx';
import { keys } from './queries.ts';
import { AdminPage, Field, FormError, sm } from './shared.tsx';
import { LEXICON_FORMATS, type Items, type LexiconView } from './types.ts';

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
  const s = useT(sm);
  const num = useNumber();
  const session = useSession();
  const list = useQuery({
    queryKey: keys.lexicons,
    queryFn: async () => (await ok<Items<LexiconView>>(api.GET('/api/v1/lexicons'))).items,
  });
  return (
    <AdminPage title={s('lexicons')}>
      <p className="muted">{s('lexiconsAbout')}</p>
      <section className="panel" aria-labelledby="lex-h">
        <h2 id="lex-h">{t('loadedLists')}</h2>
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
                        {t('revision')}
                      </th>
                      <th scope="col" className="num">
                        {t('terms')}
                      </th>
                      <th scope="col">{t('loadedAt')}</th>
                      <th scope="col">{t('loadedBy')}</th>
                    </tr>
                  </thead>
                  <tbody>
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
                  </tbody>
                </table>
              </div>
            )
          }
        </QueryState>
      </section>
      {session.can('rules.write') && <LoadLexicon />}
    </AdminPage>
  );
}

const FIELDS = ['name', 'format', 'content'] as const;

function LoadLexicon() {
  const t = useT(m);
  const num = useNumber();
  const id = useId();
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
  const submit = (e: FormEvent) => {
    e.preventDefault();
    load.mutate();
  };
  const err = load.error;
  const done = load.data;
  return (
    <section className="panel" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>{t('load')}</h2>
      <p className="muted">{t('loadHelp')}</p>
      <form onSubmit={submit} className="form-grid" noValidate>
        <Field label={t('name')} hint={t('nameHint')} error={err} field="name">
          {(p) => (
            <input {...p} value={name} required maxLength={63} onChange={(e) => setName(e.target.value)} />
          )}
        </Field>
        <Field label={t('format')} error={err} field="format">
          {(p) => (
            <select {...p} value={format} onChange={(e) => setFormat(e.target.value as 'csv' | 'json')}>
              {LEXICON_FORMATS.map((f) => (
                <option key={f} value={f}>
                  {t(f)}
                </option>
              ))}
            </select>
          )}
        </Field>
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
        <div className="form-actions">
          <button type="submit" className="primary" disabled={load.isPending}>
            {load.isPending ? t('loading') : t('submit')}
          </button>
        </div>
      </form>
      <FormError error={err} fields={FIELDS} />
      {done && !load.isPending && (
        <p role="status" className="success">
          {t('loaded', { name: done.name, terms: num(done.terms), revision: num(done.revision) })}
        </p>
      )}
    </section>
  );
}
