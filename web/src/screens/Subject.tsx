import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { useLocation, useNavigate, useParams } from 'react-router';
import { api, ok } from '../api/client.ts';
import type { SubjectView } from '../api/views.ts';
import { Dialog } from '../components/Dialog.tsx';
import { Empty } from '../components/states.tsx';
import { Table } from '../components/Table.tsx';
import { Time } from '../components/Time.tsx';
import { messages, useNumber, useT } from '../i18n/i18n.tsx';
import { useSession } from '../session.tsx';
import { Account, Priority, useCountryName } from '../subjects/format.tsx';
import { DetailPage, Panel, ReferralLink, SubjectLink } from '../subjects/layout.tsx';
import { SubjectGraph, useSubjectGraph, type SubjectGraphModel } from '../subjects/SubjectGraph.tsx';
import type { SplitAnswer, SubjectAnswer, SubjectPage } from '../subjects/types.ts';
import '../subjects/subjects.css';

const m = messages(
  {
    title: 'Subject {id}',
    back: 'All subjects',
    notFoundTitle: 'No such subject in your reach',
    notFound:
      'There is no subject {id} that you can see. A subject is visible through the referrals your organisation can read; it may also have been merged into another or split since the link you followed was made.',
    confirmed: 'confirmed',
    summary: 'Summary',
    referralsShown: 'Referrals you can read',
    accountsCount: 'Accounts',
    firstSeen: 'First seen',
    lastSeen: 'Last seen',
    status: 'Status',
    statusConfirmed: 'Confirmed as one person',
    statusUnconfirmed: 'Linked by the rules, not confirmed',
    decide: 'Decisions',
    decideIntro: 'Every decision needs a reason. It is audited and applied again on every rebuild.',
    confirm: 'Confirm…',
    split: 'Split…',
    merge: 'Merge…',
    confirmTitle: 'Confirm subject {id}',
    confirmIntro: 'Confirm that these accounts are one person.',
    confirmSubmit: 'Confirm',
    splitTitle: 'Split subject {id}',
    splitIntro:
      'Take accounts out into a subject of their own. The two sides are kept apart for good, including in later referrals.',
    splitAccounts: 'Accounts to take out',
    splitSubmit: 'Split',
    splitChoose: 'Choose some, but not all, of the accounts.',
    mergeTitle: 'Merge subject {id} with others',
    mergeIntro:
      'Join other subjects with this one: their accounts will be joined whenever they appear. A merge an earlier split forbids is refused.',
    mergeFound: 'Subjects reached in the graph',
    mergeIds: 'Other subject ids',
    mergeIdsHint: 'Separated by spaces or commas; suggestions appear as you type.',
    mergeSubmit: 'Merge',
    mergeChoose: 'Name at least one other subject, by its id.',
    mergeBadId: '“{id}” is not a subject id.',
    reasonHint: 'Kept with the decision and in the audit trail; applied again on every rebuild.',
    doneConfirmed: 'The subject is confirmed.',
    doneSplit: 'Split into {n} subjects:',
    doneMerged: 'Merged: this subject now holds the accounts of {ids}.',
    heldElsewhere: 'Held elsewhere',
    heldElsewhereIntro:
      'Referrals of this subject that went to organisations outside your reach: who holds them, how many, since when. Their content is not shown.',
    heldBy: '{org}: {n} referrals since',
    heldByOne: '{org}: 1 referral since',
    prior: 'Prior records',
    noPrior: 'No prior-records hit in what you can read.',
    register: 'Register',
    reference: 'Reference',
    label: 'Label',
    matched: 'Matched on',
    since: 'Since',
    accounts: 'Accounts',
    account: 'Account',
    referralsOfAccount: 'Referrals',
    identifiers: 'Identifiers',
    kind: 'Kind',
    value: 'Value',
    normalised: 'normalised: {value}',
    referrals: 'Referrals',
    referral: 'Referral',
    person: 'Person',
    received: 'Received',
    recipient: 'Recipient',
    country: 'Country',
    priority: 'Priority',
    evidence: 'Evidence of each join',
    evidenceIntro: 'Which reported persons were joined, by which rule, and why.',
    noEvidence: 'A single reported person: nothing was joined.',
    from: 'From',
    to: 'To',
    rule: 'Rule',
    why: 'Why',
    outside: 'a referral outside your reach',
    withheld: 'withheld: neither side is in your reach',
    mention: '{referral}, person {slot}',
    decisions: 'Decisions',
    noDecisions: 'No decisions about this subject yet.',
    decisionKind: 'Decision',
    reason: 'Reason',
    when: 'When',
    by: 'By',
    'decision-confirm': 'confirmed',
    'decision-split': 'split',
    'decision-merge': 'merged',
    'rule-strong': 'strong identifier',
    'rule-weak-corroborated': 'weak identifiers that agree',
    'rule-analyst-merge': 'analyst’s merge',
  },
  {
    title: 'Soggetto {id}',
    back: 'Tutti i soggetti',
    notFoundTitle: 'Nessun soggetto di questo tipo di tua competenza',
    notFound:
      'Non c’è un soggetto {id} che tu possa vedere. Un soggetto è visibile attraverso le segnalazioni che la tua organizzazione può leggere; potrebbe anche essere stato unito a un altro o diviso dopo la creazione del link che hai seguito.',
    confirmed: 'confermato',
    summary: 'Riepilogo',
    referralsShown: 'Segnalazioni che puoi leggere',
    accountsCount: 'Account',
    firstSeen: 'Prima volta',
    lastSeen: 'Ultima volta',
    status: 'Stato',
    statusConfirmed: 'Confermato come unica persona',
    statusUnconfirmed: 'Collegato dalle regole, non confermato',
    decide: 'Decisioni',
    decideIntro: 'Ogni decisione richiede un motivo. È registrata e riapplicata a ogni ricostruzione.',
    confirm: 'Conferma…',
    split: 'Dividi…',
    merge: 'Unisci…',
    confirmTitle: 'Conferma il soggetto {id}',
    confirmIntro: 'Conferma che questi account sono una sola persona.',
    confirmSubmit: 'Conferma',
    splitTitle: 'Dividi il soggetto {id}',
    splitIntro:
      'Sposta degli account in un soggetto a sé. Le due parti restano separate per sempre, anche nelle segnalazioni future.',
    splitAccounts: 'Account da spostare',
    splitSubmit: 'Dividi',
    splitChoose: 'Scegli alcuni account, ma non tutti.',
    mergeTitle: 'Unisci il soggetto {id} ad altri',
    mergeIntro:
      'Unisci altri soggetti a questo: i loro account saranno uniti ogni volta che compaiono. Un’unione vietata da una divisione precedente è rifiutata.',
    mergeFound: 'Soggetti raggiunti nel grafo',
    mergeIds: 'Id di altri soggetti',
    mergeIdsHint: 'Separati da spazi o virgole; i suggerimenti compaiono mentre scrivi.',
    mergeSubmit: 'Unisci',
    mergeChoose: 'Indica almeno un altro soggetto, con il suo id.',
    mergeBadId: '«{id}» non è un id di soggetto.',
    reasonHint: 'Conservato con la decisione e nel registro di audit; riapplicato a ogni ricostruzione.',
    doneConfirmed: 'Il soggetto è confermato.',
    doneSplit: 'Diviso in {n} soggetti:',
    doneMerged: 'Unito: questo soggetto ora comprende gli account di {ids}.',
    heldElsewhere: 'In carico altrove',
    heldElsewhereIntro:
      'Segnalazioni di questo soggetto andate a organizzazioni fuori dalla tua competenza: chi le ha, quante, da quando. Il loro contenuto non è mostrato.',
    heldBy: '{org}: {n} segnalazioni dal',
    heldByOne: '{org}: 1 segnalazione dal',
    prior: 'Precedenti',
    noPrior: 'Nessun precedente in ciò che puoi leggere.',
    register: 'Registro',
    reference: 'Riferimento',
    label: 'Etichetta',
    matched: 'Corrispondenza',
    since: 'Dal',
    accounts: 'Account',
    account: 'Account',
    referralsOfAccount: 'Segnalazioni',
    identifiers: 'Identificativi',
    kind: 'Tipo',
    value: 'Valore',
    normalised: 'normalizzato: {value}',
    referrals: 'Segnalazioni',
    referral: 'Segnalazione',
    person: 'Persona',
    received: 'Ricevuta',
    recipient: 'Destinatario',
    country: 'Paese',
    priority: 'Priorità',
    evidence: 'Prove di ogni collegamento',
    evidenceIntro: 'Quali persone segnalate sono state collegate, con quale regola e perché.',
    noEvidence: 'Una sola persona segnalata: nulla è stato collegato.',
    from: 'Da',
    to: 'A',
    rule: 'Regola',
    why: 'Perché',
    outside: 'una segnalazione fuori dalla tua competenza',
    withheld: 'non mostrato: nessuna delle due parti è di tua competenza',
    mention: '{referral}, persona {slot}',
    decisions: 'Decisioni',
    noDecisions: 'Ancora nessuna decisione su questo soggetto.',
    decisionKind: 'Decisione',
    reason: 'Motivo',
    when: 'Quando',
    by: 'Da',
    'decision-confirm': 'confermato',
    'decision-split': 'diviso',
    'decision-merge': 'unito',
    'rule-strong': 'identificativo forte',
    'rule-weak-corroborated': 'identificativi deboli concordi',
    'rule-analyst-merge': 'unione dell’analista',
  },
);

type K = keyof (typeof m)['en'];
const knownKey = (key: string): key is K => key in m.en;

type Done =
  | { readonly kind: 'confirmed' }
  | { readonly kind: 'split'; readonly subjects: readonly string[] }
  | { readonly kind: 'merged'; readonly from: readonly string[] };

const SUBJECT_ID = /^[A-Za-z0-9._-]{1,64}$/;

export default function Subject() {
  const { id = '' } = useParams();
  const t = useT(m);
  const location = useLocation();
  const subject = useQuery({
    queryKey: ['subjects', id],
    queryFn: () => ok<SubjectView>(api.GET('/api/v1/subjects/{id}', { params: { path: { id } } })),
  });
  const arrived = (location.state as { done?: Done } | null)?.done ?? null;
  return (
    <DetailPage
      back="/subjects"
      backLabel={t('back')}
      heading={
        <h1 className="subject-title">
          <span>{t('title', { id })}</span>
          {subject.data?.confirmed && <span className="tag confirmed">{t('confirmed')}</span>}
        </h1>
      }
      query={subject}
      missing={{ title: t('notFoundTitle'), text: t('notFound', { id }) }}
    >
      {(s) => <SubjectBody key={id} s={s} arrived={arrived} />}
    </DetailPage>
  );
}

function SubjectBody({ s, arrived }: { s: SubjectView; arrived: Done | null }) {
  const t = useT(m);
  const num = useNumber();
  const country = useCountryName();
  const session = useSession();
  const graph = useSubjectGraph(s.id);
  const [done, setDone] = useState<Done | null>(arrived);
  const perAccount = new Map<string, Set<string>>();
  for (const r of s.referralsVisible)
    perAccount.set(r.account, (perAccount.get(r.account) ?? new Set()).add(r.id));
  const mention = (x: string | null) => {
    if (x === null) return <span className="muted">{t('outside')}</span>;
    const dot = x.lastIndexOf('.');
    const referral = x.slice(0, dot);
    return (
      <ReferralLink id={referral}>
        {t('mention', { referral, slot: Number(x.slice(dot + 1)) + 1 })}
      </ReferralLink>
    );
  };

  return (
    <>
      {done && <DoneNotice done={done} />}
      <div className="grid-2">
        <Panel title={t('summary')}>
          <dl className="facts">
            <dt>{t('referralsShown')}</dt>
            <dd>{num(s.referrals)}</dd>
            <dt>{t('accountsCount')}</dt>
            <dd>{num(s.accounts.length)}</dd>
            <dt>{t('firstSeen')}</dt>
            <dd>
              <Time value={s.firstSeen} />
            </dd>
            <dt>{t('lastSeen')}</dt>
            <dd>
              <Time value={s.lastSeen} />
            </dd>
            <dt>{t('status')}</dt>
            <dd>{s.confirmed ? t('statusConfirmed') : t('statusUnconfirmed')}</dd>
          </dl>
        </Panel>
        {session.can('subject.decide') && <Decisions s={s} graph={graph} onDone={setDone} />}
      </div>

      {s.heldElsewhere.length > 0 && (
        <Panel title={t('heldElsewhere')} className="notice">
          <p>{t('heldElsewhereIntro')}</p>
          <ul>
            {s.heldElsewhere.map((h) => (
              <li key={h.organisation}>
                {h.referrals === 1
                  ? t('heldByOne', { org: h.organisation })
                  : t('heldBy', { org: h.organisation, n: num(h.referrals) })}{' '}
                <Time value={h.since} dateOnly />
              </li>
            ))}
          </ul>
        </Panel>
      )}

      <Panel title={t('prior')}>
        {s.prior.length === 0 ? (
          <Empty>{t('noPrior')}</Empty>
        ) : (
          <Table head={[t('register'), t('reference'), t('label'), t('matched'), t('since')]}>
            {s.prior.map((h) => (
              <tr key={`${h.register}|${h.reference}|${h.kind}|${h.value}`}>
                <th scope="row">{h.register}</th>
                <td className="mono">{h.reference}</td>
                <td>{h.label ?? '—'}</td>
                <td>{h.reason}</td>
                <td>
                  <Time value={h.since} dateOnly />
                </td>
              </tr>
            ))}
          </Table>
        )}
      </Panel>

      <SubjectGraph graph={graph} />

      <div className="grid-2">
        <Panel title={t('accounts')}>
          <Table head={[t('account'), { label: t('referralsOfAccount'), num: true }]}>
            {s.accounts.map((a) => (
              <tr key={a}>
                <th scope="row">
                  <Account value={a} />
                </th>
                <td className="num">{num(perAccount.get(a)?.size ?? 0)}</td>
              </tr>
            ))}
          </Table>
        </Panel>
        <Panel title={t('identifiers')}>
          {s.identifiers.length === 0 ? (
            <Empty />
          ) : (
            <Table head={[t('kind'), t('value'), { label: t('referrals'), num: true }]}>
              {s.identifiers.map((x) => (
                <tr key={`${x.kind}|${x.value}`}>
                  <th scope="row">{x.kind}</th>
                  <td>
                    <span className="mono">{x.raw}</span>
                    {x.raw !== x.value && (
                      <span className="muted"> ({t('normalised', { value: x.value })})</span>
                    )}
                  </td>
                  <td className="num">{num(x.referrals)}</td>
                </tr>
              ))}
            </Table>
          )}
        </Panel>
      </div>

      <Panel title={t('referrals')}>
        <Table
          head={[
            t('referral'),
            t('person'),
            t('account'),
            t('received'),
            t('recipient'),
            t('country'),
            t('priority'),
          ]}
        >
          {s.referralsVisible.map((r) => (
            <tr key={`${r.id}.${r.slot}`}>
              <th scope="row">
                <ReferralLink id={r.id} />
              </th>
              <td>{num(r.slot + 1)}</td>
              <td>
                <Account value={r.account} />
              </td>
              <td>
                <Time value={r.receivedAt} />
              </td>
              <td>{r.recipient ?? '—'}</td>
              <td>{r.country ? `${country(r.country)} (${r.country})` : country(null)}</td>
              <td>
                <Priority level={r.priority} />
              </td>
            </tr>
          ))}
        </Table>
      </Panel>

      <Panel title={t('evidence')} intro={t('evidenceIntro')}>
        {s.evidence.length === 0 ? (
          <Empty>{t('noEvidence')}</Empty>
        ) : (
          <Table head={[t('from'), t('to'), t('rule'), t('why')]}>
            {s.evidence.map((e, i) => {
              const rule = `rule-${e.rule}`;
              return (
                <tr key={i}>
                  <td>{mention(e.from)}</td>
                  <td>{mention(e.to)}</td>
                  <td>{knownKey(rule) ? t(rule) : e.rule}</td>
                  <td>
                    {e.reasons.length === 0 ? (
                      <span className="muted">{t('withheld')}</span>
                    ) : (
                      <ul className="compact-list">
                        {e.reasons.map((r) => (
                          <li key={r}>{r}</li>
                        ))}
                      </ul>
                    )}
                  </td>
                </tr>
              );
            })}
          </Table>
        )}
      </Panel>

      <Panel title={t('decisions')}>
        {s.decisions.length === 0 ? (
          <Empty>{t('noDecisions')}</Empty>
        ) : (
          <Table head={[t('decisionKind'), t('reason'), t('when'), t('by')]}>
            {s.decisions.map((d) => {
              const kind = `decision-${d.kind}`;
              return (
                <tr key={d.id}>
                  <th scope="row">{knownKey(kind) ? t(kind) : d.kind}</th>
                  <td>{d.reason}</td>
                  <td>
                    <Time value={d.at} />
                  </td>
                  <td>{d.by}</td>
                </tr>
              );
            })}
          </Table>
        )}
      </Panel>
    </>
  );
}

function DoneNotice({ done }: { done: Done }) {
  const t = useT(m);
  const num = useNumber();
  return (
    <div className="success" role="status">
      {done.kind === 'confirmed' && t('doneConfirmed')}
      {done.kind === 'split' && (
        <>
          {t('doneSplit', { n: num(done.subjects.length) })}{' '}
          {done.subjects.map((id, i) => (
            <span key={id}>
              {i > 0 && ', '}
              <SubjectLink id={id} />
            </span>
          ))}
        </>
      )}
      {done.kind === 'merged' && t('doneMerged', { ids: done.from.join(', ') })}
    </div>
  );
}

/** Confirm, split and merge: each in a dialog, each with a reason. */
function Decisions({
  s,
  graph,
  onDone,
}: {
  s: SubjectView;
  graph: SubjectGraphModel;
  onDone: (d: Done) => void;
}) {
  const t = useT(m);
  const queries = useQueryClient();
  const navigate = useNavigate();
  const [open, setOpen] = useState<'confirm' | 'split' | 'merge' | null>(null);
  const [side, setSide] = useState<ReadonlySet<string>>(new Set());
  const [picked, setPicked] = useState<ReadonlySet<string>>(new Set());
  const [typed, setTyped] = useState('');
  const listId = useId();
  const hintId = useId();

  const refresh = async () => {
    await Promise.all([
      queries.invalidateQueries({ queryKey: ['subjects'] }),
      queries.invalidateQueries({ queryKey: ['communities'] }),
      queries.invalidateQueries({ queryKey: ['referral-links'] }),
    ]);
  };

  const confirm = useMutation({
    mutationFn: (reason: string) =>
      ok<SubjectAnswer>(
        api.POST('/api/v1/subjects/{id}/confirm', { params: { path: { id: s.id } }, body: { reason } }),
      ),
    onSuccess: async () => {
      setOpen(null);
      onDone({ kind: 'confirmed' });
      await refresh();
    },
  });
  const split = useMutation({
    mutationFn: (reason: string) =>
      ok<SplitAnswer>(
        api.POST('/api/v1/subjects/{id}/split', {
          params: { path: { id: s.id } },
          body: { accounts: [...side], reason },
        }),
      ),
    onSuccess: async (a) => {
      setOpen(null);
      const done: Done = { kind: 'split', subjects: a.subjects };
      if (a.subjects.includes(s.id)) onDone(done);
      else if (a.subjects[0])
        await navigate(`/subjects/${encodeURIComponent(a.subjects[0])}`, { state: { done } });
      await refresh();
    },
  });

  const typedIds = typed.split(/[\s,;]+/).filter((x) => x !== '');
  const others = [...new Set([...picked, ...typedIds])].filter((x) => x !== s.id);
  const badId = typedIds.find((x) => !SUBJECT_ID.test(x));
  const merge = useMutation({
    mutationFn: (reason: string) =>
      ok<SubjectAnswer>(
        api.POST('/api/v1/subjects/merge', { body: { subjects: [s.id, ...others], reason } }),
      ),
    onSuccess: async (a) => {
      setOpen(null);
      const done: Done = { kind: 'merged', from: [s.id, ...others].filter((x) => x !== a.subject) };
      if (a.subject === s.id) onDone(done);
      else await navigate(`/subjects/${encodeURIComponent(a.subject)}`, { state: { done } });
      await refresh();
    },
  });
  // Suggestions for the ids field: the first subjects in reach.
  const suggestions = useQuery({
    queryKey: ['subjects', 'list', 'pick'],
    queryFn: () => ok<SubjectPage>(api.GET('/api/v1/subjects', { params: { query: { limit: 200 } } })),
    enabled: open === 'merge',
  });

  const start = (which: 'confirm' | 'split' | 'merge') => {
    confirm.reset();
    split.reset();
    merge.reset();
    setSide(new Set());
    setPicked(new Set());
    setTyped('');
    setOpen(which);
  };
  const toggle = (set: ReadonlySet<string>, value: string, on: boolean) => {
    const next = new Set(set);
    if (on) next.add(value);
    else next.delete(value);
    return next;
  };

  return (
    <Panel title={t('decide')} intro={t('decideIntro')}>
      <div className="toolbar">
        <button type="button" onClick={() => start('confirm')} disabled={s.confirmed}>
          {t('confirm')}
        </button>
        {s.accounts.length > 1 && (
          <button type="button" onClick={() => start('split')}>
            {t('split')}
          </button>
        )}
        <button type="button" onClick={() => start('merge')}>
          {t('merge')}
        </button>
      </div>

      <Dialog
        open={open === 'confirm'}
        title={t('confirmTitle', { id: s.id })}
        submitLabel={t('confirmSubmit')}
        pending={confirm.isPending}
        error={confirm.error}
        reason
        reasonHint={t('reasonHint')}
        onClose={() => setOpen(null)}
        onSubmit={(reason) => confirm.mutate(reason)}
      >
        <p>{t('confirmIntro')}</p>
      </Dialog>

      <Dialog
        open={open === 'split'}
        title={t('splitTitle', { id: s.id })}
        submitLabel={t('splitSubmit')}
        danger
        pending={split.isPending}
        error={split.error}
        reason
        reasonHint={t('reasonHint')}
        invalid={side.size === 0 || side.size === s.accounts.length ? t('splitChoose') : null}
        onClose={() => setOpen(null)}
        onSubmit={(reason) => split.mutate(reason)}
      >
        <p>{t('splitIntro')}</p>
        <fieldset>
          <legend>{t('splitAccounts')}</legend>
          {s.accounts.map((a) => (
            <label key={a} className="check">
              <input
                type="checkbox"
                name="accounts"
                value={a}
                checked={side.has(a)}
                onChange={(e) => setSide(toggle(side, a, e.target.checked))}
              />
              <Account value={a} />
            </label>
          ))}
        </fieldset>
      </Dialog>

      <Dialog
        open={open === 'merge'}
        title={t('mergeTitle', { id: s.id })}
        submitLabel={t('mergeSubmit')}
        pending={merge.isPending}
        error={merge.error}
        reason
        reasonHint={t('reasonHint')}
        invalid={badId ? t('mergeBadId', { id: badId }) : others.length === 0 ? t('mergeChoose') : null}
        onClose={() => setOpen(null)}
        onSubmit={(reason) => merge.mutate(reason)}
      >
        <p>{t('mergeIntro')}</p>
        {graph.found.length > 0 && (
          <fieldset>
            <legend>{t('mergeFound')}</legend>
            {graph.found.map((x) => (
              <label key={x} className="check">
                <input
                  type="checkbox"
                  name="subjects"
                  value={x}
                  checked={picked.has(x)}
                  onChange={(e) => setPicked(toggle(picked, x, e.target.checked))}
                />
                <span className="mono">{x}</span>
              </label>
            ))}
          </fieldset>
        )}
        <label>
          {t('mergeIds')}
          <input
            type="text"
            name="ids"
            list={listId}
            autoComplete="off"
            spellCheck={false}
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            aria-describedby={hintId}
          />
        </label>
        <p id={hintId} className="muted hint">
          {t('mergeIdsHint')}
        </p>
        <datalist id={listId}>
          {(suggestions.data?.items ?? [])
            .filter((x) => x.id !== s.id)
            .map((x) => (
              <option key={x.id} value={x.id}>
                {x.accounts.join(', ')}
              </option>
            ))}
        </datalist>
      </Dialog>
    </Panel>
  );
}
