import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { api, ok } from '../api/client.ts';
import type { CommunityView, SubjectView } from '../api/views.ts';
import { ErrorMessage } from '../components/states.tsx';
import { Table } from '../components/Table.tsx';
import { messages, useNumber, useT } from '../i18n/i18n.tsx';
import { Account, useCountryName } from '../subjects/format.tsx';
import { DetailPage, Panel, ReferralLink, SubjectLink } from '../subjects/layout.tsx';
import '../subjects/subjects.css';

/** Referral links shown per member before "and N more". */
const REFERRALS_SHOWN = 5;

const m = messages(
  {
    title: 'Community {group}',
    titleLoading: 'Community',
    back: 'All communities',
    notFoundTitle: 'No such community in your reach',
    notFound:
      'There is no community with this id that you can see: its members may all be in referrals outside your reach, or the link is wrong.',
    becomes: 'Would become',
    becomesIntro: 'Each member is a prospective investigation in the country its referrals point to.',
    investigationOne: 'investigation in {country}',
    investigationMany: 'investigations in {country}',
    total: 'In all, {n} prospective investigations in {countries} countries.',
    totalOne: 'In all, {n} prospective investigations in one country.',
    facts: 'The group',
    service: 'Service',
    group: 'Group identifier',
    members: 'Members',
    referrals: 'Referrals',
    byCountry: 'Members by country',
    countryMembers: '{country} ({code}): {n} members',
    countryMembersOne: '{country} ({code}): 1 member',
    countryMembersUnknown: '{country}: {n} members',
    countryMembersUnknownOne: '{country}: 1 member',
    subject: 'Subject',
    accounts: 'Accounts',
    inCommunity: 'Referrals in this group',
    subjectReferrals: 'Referrals of the subject',
    more: 'and {n} more',
    loadingMember: 'Loading…',
  },
  {
    title: 'Comunità {group}',
    titleLoading: 'Comunità',
    back: 'Tutte le comunità',
    notFoundTitle: 'Nessuna comunità di questo tipo di tua competenza',
    notFound:
      'Non c’è una comunità con questo id che tu possa vedere: i suoi membri potrebbero essere tutti in segnalazioni fuori dalla tua competenza, o il link è errato.',
    becomes: 'Diventerebbe',
    becomesIntro: 'Ogni membro è un’indagine potenziale nel paese a cui puntano le sue segnalazioni.',
    investigationOne: 'indagine in {country}',
    investigationMany: 'indagini in {country}',
    total: 'In tutto, {n} indagini potenziali in {countries} paesi.',
    totalOne: 'In tutto, {n} indagini potenziali in un solo paese.',
    facts: 'Il gruppo',
    service: 'Servizio',
    group: 'Identificativo del gruppo',
    members: 'Membri',
    referrals: 'Segnalazioni',
    byCountry: 'Membri per paese',
    countryMembers: '{country} ({code}): {n} membri',
    countryMembersOne: '{country} ({code}): 1 membro',
    countryMembersUnknown: '{country}: {n} membri',
    countryMembersUnknownOne: '{country}: 1 membro',
    subject: 'Soggetto',
    accounts: 'Account',
    inCommunity: 'Segnalazioni in questo gruppo',
    subjectReferrals: 'Segnalazioni del soggetto',
    more: 'e altre {n}',
    loadingMember: 'Caricamento…',
  },
);

export default function Community() {
  const { id = '' } = useParams();
  const t = useT(m);
  const community = useQuery({
    queryKey: ['communities', id],
    queryFn: () => ok<CommunityView>(api.GET('/api/v1/communities/{id}', { params: { path: { id } } })),
  });
  const c = community.data;
  return (
    <DetailPage
      back="/communities"
      backLabel={t('back')}
      heading={<h1>{c ? t('title', { group: c.group }) : t('titleLoading')}</h1>}
      query={community}
      missing={{ title: t('notFoundTitle'), text: t('notFound') }}
    >
      {(data) => <CommunityBody c={data} />}
    </DetailPage>
  );
}

function CommunityBody({ c }: { c: CommunityView }) {
  const t = useT(m);
  const num = useNumber();
  const country = useCountryName();
  const members = c.members ?? [];
  const groups = c.countries.map((x) => ({
    code: x.country,
    members: members.filter((mb) => (mb.country ?? 'unknown') === x.country),
  }));
  return (
    <>
      <Panel title={t('becomes')} intro={t('becomesIntro')}>
        <ul className="countries">
          {c.countries.map((x) => (
            <li key={x.country} className="country-card">
              <span className="count">{num(x.subjects)}</span>{' '}
              {t(x.subjects === 1 ? 'investigationOne' : 'investigationMany', {
                country: country(x.country),
              })}
            </li>
          ))}
        </ul>
        <p>
          {c.countries.length === 1
            ? t('totalOne', { n: num(c.subjects) })
            : t('total', { n: num(c.subjects), countries: num(c.countries.length) })}
        </p>
      </Panel>
      <Panel title={t('facts')}>
        <dl className="facts">
          <dt>{t('service')}</dt>
          <dd>{c.service}</dd>
          <dt>{t('group')}</dt>
          <dd className="mono">{c.group}</dd>
          <dt>{t('members')}</dt>
          <dd>{num(c.subjects)}</dd>
          <dt>{t('referrals')}</dt>
          <dd>{num(c.referrals)}</dd>
        </dl>
      </Panel>
      <Panel title={t('byCountry')}>
        {groups.map((g) => (
          <section key={g.code} aria-label={country(g.code)}>
            <h3>
              {t(
                g.code === 'unknown'
                  ? g.members.length === 1
                    ? 'countryMembersUnknownOne'
                    : 'countryMembersUnknown'
                  : g.members.length === 1
                    ? 'countryMembersOne'
                    : 'countryMembers',
                { country: country(g.code), code: g.code, n: num(g.members.length) },
              )}
            </h3>
            <Table
              head={[
                t('subject'),
                t('accounts'),
                { label: t('inCommunity'), num: true },
                t('subjectReferrals'),
              ]}
            >
              {g.members.map((mb) => (
                <Member key={mb.subject} subject={mb.subject} referrals={mb.referrals} />
              ))}
            </Table>
          </section>
        ))}
      </Panel>
    </>
  );
}

/** A member: its accounts and referrals come from the subject itself (what the caller may see of it). */
function Member({ subject, referrals }: { subject: string; referrals: number }) {
  const t = useT(m);
  const num = useNumber();
  const s = useQuery({
    queryKey: ['subjects', subject],
    queryFn: () => ok<SubjectView>(api.GET('/api/v1/subjects/{id}', { params: { path: { id: subject } } })),
  });
  const to = `/subjects/${encodeURIComponent(subject)}`;
  const refs = [...new Set(s.data?.referralsVisible.map((r) => r.id) ?? [])];
  return (
    <tr>
      <th scope="row">
        <SubjectLink id={subject} />
      </th>
      <td>
        {s.isPending ? (
          <span className="muted">{t('loadingMember')}</span>
        ) : s.error ? (
          <ErrorMessage error={s.error} onRetry={() => void s.refetch()} />
        ) : (
          <ul className="plain-list">
            {s.data?.accounts.map((a) => (
              <li key={a}>
                <Link to={to}>
                  <Account value={a} />
                </Link>
              </li>
            ))}
          </ul>
        )}
      </td>
      <td className="num">{num(referrals)}</td>
      <td>
        {s.data && (
          <ul className="plain-list">
            {refs.slice(0, REFERRALS_SHOWN).map((r) => (
              <li key={r}>
                <ReferralLink id={r} />
              </li>
            ))}
            {refs.length > REFERRALS_SHOWN && (
              <li>
                <Link to={to}>{t('more', { n: num(refs.length - REFERRALS_SHOWN) })}</Link>
              </li>
            )}
          </ul>
        )}
      </td>
    </tr>
  );
}
