import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, ok } from '../api/client.ts';
import type { CommunityView, Items } from '../api/views.ts';
import { Empty, QueryState } from '../components/states.tsx';
import { Table } from '../components/Table.tsx';
import { messages, useNumber, useT } from '../i18n/i18n.tsx';
import { useCountryName } from '../subjects/format.tsx';
import { ListPage, Panel } from '../subjects/layout.tsx';
import '../subjects/subjects.css';

const m = messages(
  {
    title: 'Communities',
    intro:
      'Groups and chats shared by two or more subjects. Each member is a prospective investigation in the country its referrals point to: this is where a batch of referrals becomes investigations.',
    byCountry: 'Prospective investigations by country',
    byCountryIntro:
      'Members of all communities below, per country. A subject in two communities counts in each.',
    list: 'Communities in your reach',
    community: 'Group',
    service: 'Service',
    members: 'Members',
    referrals: 'Referrals',
    countries: 'Would become investigations in',
    none: 'No communities: no group or chat is shared by two or more subjects in referrals you can read.',
    inCountry: '{n} in {country}',
    investigationsOne: 'investigation in {country}',
    investigationsMany: 'investigations in {country}',
  },
  {
    title: 'Comunità',
    intro:
      'Gruppi e chat condivisi da due o più soggetti. Ogni membro è un’indagine potenziale nel paese a cui puntano le sue segnalazioni: qui un lotto di segnalazioni diventa indagini.',
    byCountry: 'Indagini potenziali per paese',
    byCountryIntro:
      'Membri di tutte le comunità elencate sotto, per paese. Un soggetto in due comunità conta in ciascuna.',
    list: 'Comunità di tua competenza',
    community: 'Gruppo',
    service: 'Servizio',
    members: 'Membri',
    referrals: 'Segnalazioni',
    countries: 'Diventerebbero indagini in',
    none: 'Nessuna comunità: nessun gruppo o chat è condiviso da due o più soggetti nelle segnalazioni che puoi leggere.',
    inCountry: '{n} in {country}',
    investigationsOne: 'indagine in {country}',
    investigationsMany: 'indagini in {country}',
  },
);

export default function Communities() {
  const t = useT(m);
  const num = useNumber();
  const country = useCountryName();
  const list = useQuery({
    queryKey: ['communities'],
    queryFn: () => ok<Items<CommunityView>>(api.GET('/api/v1/communities')),
  });
  return (
    <ListPage title={t('title')} intro={t('intro')}>
      <QueryState query={list}>
        {({ items }) => {
          if (items.length === 0) return <Empty>{t('none')}</Empty>;
          const totals = new Map<string, number>();
          for (const c of items)
            for (const x of c.countries) totals.set(x.country, (totals.get(x.country) ?? 0) + x.subjects);
          const sorted = [...totals.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
          return (
            <>
              <Panel title={t('byCountry')} intro={t('byCountryIntro')}>
                <ul className="countries">
                  {sorted.map(([code, n]) => (
                    <li key={code} className="country-card">
                      <span className="count">{num(n)}</span>{' '}
                      {t(n === 1 ? 'investigationsOne' : 'investigationsMany', { country: country(code) })}
                    </li>
                  ))}
                </ul>
              </Panel>
              <Panel title={t('list')}>
                <Table
                  head={[
                    t('community'),
                    t('service'),
                    { label: t('members'), num: true },
                    { label: t('referrals'), num: true },
                    t('countries'),
                  ]}
                >
                  {items.map((c) => (
                    <tr key={c.id}>
                      <th scope="row">
                        <Link to={`/communities/${encodeURIComponent(c.id)}`} className="mono">
                          {c.group}
                        </Link>
                      </th>
                      <td>{c.service}</td>
                      <td className="num">{num(c.subjects)}</td>
                      <td className="num">{num(c.referrals)}</td>
                      <td>
                        <ul className="country-chips">
                          {c.countries.map((x) => (
                            <li key={x.country}>
                              {t('inCountry', { n: num(x.subjects), country: country(x.country) })}
                            </li>
                          ))}
                        </ul>
                      </td>
                    </tr>
                  ))}
                </Table>
              </Panel>
            </>
          );
        }}
      </QueryState>
    </ListPage>
  );
}
