import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { api, ok } from '../api/client.ts';
import { Empty, QueryState } from '../components/states.tsx';
import { messages, useNumber, useT } from '../i18n/i18n.tsx';
import { useSession } from '../session.tsx';
import { keys, reachOf, useOrganisations } from './queries.ts';
import { AdminPage, Field, FormError, sm } from './shared.tsx';
import { ORGANISATION_KINDS, type Organisation, type OrganisationKind } from './types.ts';

const m = messages(
  {
    tree: 'Organisation tree',
    kind: 'Kind',
    country: 'Country',
    covers: 'Covers',
    noCountry: 'no country',
    noCoverage: 'no coverage',
    slugLabel: 'Identifier',
    count: '{n} organisations',
    countOne: '{n} organisation',
    add: 'Add an organisation',
    addHelp: 'A new organisation hangs below one you manage; routing starts using it at once.',
    slug: 'Identifier (slug)',
    slugHint: 'lower-case letters, digits and dashes',
    name: 'Name',
    nameHint: 'optional; the identifier when empty',
    countryField: 'Country code',
    countryHint: 'ISO 3166-1, e.g. IT; optional',
    parent: 'Parent organisation',
    coversField: 'Coverage regions',
    coversHint: 'comma-separated countries (IT) or subdivisions (IT-62); empty: the country',
    submit: 'Add organisation',
    adding: 'Adding…',
    added: 'Organisation {slug} added.',
    provider: 'Provider',
    'referring-centre': 'Referring centre',
    hub: 'Hub',
    'national-centre': 'National centre',
    unit: 'Unit',
  },
  {
    tree: 'Albero delle organizzazioni',
    kind: 'Tipo',
    country: 'Paese',
    covers: 'Copertura',
    noCountry: 'nessun paese',
    noCoverage: 'nessuna copertura',
    slugLabel: 'Identificativo',
    count: '{n} organizzazioni',
    countOne: '{n} organizzazione',
    add: 'Aggiungi un’organizzazione',
    addHelp: 'La nuova organizzazione dipende da una che gestisci; l’instradamento la usa subito.',
    slug: 'Identificativo (slug)',
    slugHint: 'lettere minuscole, cifre e trattini',
    name: 'Nome',
    nameHint: 'facoltativo; se vuoto, l’identificativo',
    countryField: 'Codice paese',
    countryHint: 'ISO 3166-1, es. IT; facoltativo',
    parent: 'Organizzazione superiore',
    coversField: 'Regioni coperte',
    coversHint: 'paesi (IT) o suddivisioni (IT-62) separati da virgole; se vuoto, il paese',
    submit: 'Aggiungi organizzazione',
    adding: 'Aggiunta in corso…',
    added: 'Organizzazione {slug} aggiunta.',
    provider: 'Fornitore di servizi',
    'referring-centre': 'Centro segnalante',
    hub: 'Hub',
    'national-centre': 'Centro nazionale',
    unit: 'Unità',
  },
);

export default function Organisations() {
  const t = useT(m);
  const s = useT(sm);
  const num = useNumber();
  const session = useSession();
  const orgs = useOrganisations();
  return (
    <AdminPage title={s('organisations')}>
      <p className="muted">{s('organisationsAbout')}</p>
      <section className="panel" aria-labelledby="org-tree">
        <h2 id="org-tree">{t('tree')}</h2>
        <QueryState query={orgs}>
          {(list) =>
            list.length === 0 ? (
              <Empty />
            ) : (
              <>
                <p className="muted">
                  {t(list.length === 1 ? 'countOne' : 'count', { n: num(list.length) })}
                </p>
                <Tree orgs={list} />
              </>
            )
          }
        </QueryState>
      </section>
      {session.can('organisation.write') && orgs.data && (
        <AddOrganisation orgs={orgs.data} own={session.user.organisation} />
      )}
    </AdminPage>
  );
}

function Tree({ orgs }: { orgs: readonly Organisation[] }) {
  const ids = new Set(orgs.map((o) => o.id));
  const roots = orgs.filter((o) => o.parentId === null || !ids.has(o.parentId));
  return (
    <ul className="org-tree">
      {roots.map((o) => (
        <Node key={o.id} org={o} orgs={orgs} />
      ))}
    </ul>
  );
}

function Node({ org, orgs }: { org: Organisation; orgs: readonly Organisation[] }) {
  const t = useT(m);
  const children = orgs.filter((o) => o.parentId === org.id);
  return (
    <li>
      <div className="org-node" data-slug={org.slug}>
        <strong>{org.name}</strong> <code>{org.slug}</code>
        <span className={`kind kind-${org.kind}`}>{t(org.kind)}</span>
        <span className="muted">
          {t('country')}: {org.country ?? t('noCountry')}
        </span>
        <span className="muted">
          {t('covers')}: {org.covers.length ? org.covers.join(', ') : t('noCoverage')}
        </span>
      </div>
      {children.length > 0 && (
        <ul>
          {children.map((c) => (
            <Node key={c.id} org={c} orgs={orgs} />
          ))}
        </ul>
      )}
    </li>
  );
}

const FIELDS = ['slug', 'name', 'kind', 'country', 'parent', 'covers'] as const;

function AddOrganisation({ orgs, own }: { orgs: readonly Organisation[]; own: string }) {
  const t = useT(m);
  const id = useId();
  const queries = useQueryClient();
  const parents = reachOf(orgs, own);
  const [slug, setSlug] = useState('');
  const [name, setName] = useState('');
  const [kind, setKind] = useState<OrganisationKind>('unit');
  const [country, setCountry] = useState('');
  const [parent, setParent] = useState(own);
  const [covers, setCovers] = useState('');
  const [added, setAdded] = useState<string | null>(null);
  const add = useMutation({
    mutationFn: () => {
      const regions = covers
        .split(/[,\s]+/)
        .map((c) => c.trim())
        .filter(Boolean);
      return ok<Organisation>(
        api.POST('/api/v1/organisations', {
          body: {
            slug: slug.trim(),
            kind,
            ...(name.trim() && { name: name.trim() }),
            ...(country.trim() && { country: country.trim().toUpperCase() }),
            ...(parent && { parent }),
            ...(regions.length && { covers: regions }),
          },
        }),
      );
    },
    onSuccess: (o) => {
      setAdded(o.slug);
      setSlug('');
      setName('');
      setCountry('');
      setCovers('');
      void queries.invalidateQueries({ queryKey: keys.organisations });
    },
    onMutate: () => setAdded(null),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    add.mutate();
  };
  const err = add.error;
  return (
    <section className="panel" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>{t('add')}</h2>
      <p className="muted">{t('addHelp')}</p>
      <form onSubmit={submit} className="form-grid" noValidate>
        <Field label={t('slug')} hint={t('slugHint')} error={err} field="slug">
          {(p) => (
            <input
              {...p}
              value={slug}
              required
              maxLength={63}
              autoComplete="off"
              onChange={(e) => setSlug(e.target.value)}
            />
          )}
        </Field>
        <Field label={t('name')} hint={t('nameHint')} error={err} field="name">
          {(p) => <input {...p} value={name} maxLength={200} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <Field label={t('kind')} error={err} field="kind">
          {(p) => (
            <select {...p} value={kind} onChange={(e) => setKind(e.target.value as OrganisationKind)}>
              {ORGANISATION_KINDS.map((k) => (
                <option key={k} value={k}>
                  {t(k)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('countryField')} hint={t('countryHint')} error={err} field="country">
          {(p) => (
            <input
              {...p}
              value={country}
              maxLength={2}
              size={4}
              onChange={(e) => setCountry(e.target.value)}
            />
          )}
        </Field>
        <Field label={t('parent')} error={err} field="parent">
          {(p) => (
            <select {...p} value={parent} onChange={(e) => setParent(e.target.value)}>
              {parents.map((o) => (
                <option key={o.id} value={o.slug}>
                  {o.name} ({o.slug})
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('coversField')} hint={t('coversHint')} error={err} field="covers">
          {(p) => <input {...p} value={covers} onChange={(e) => setCovers(e.target.value)} />}
        </Field>
        <div className="form-actions">
          <button type="submit" className="primary" disabled={add.isPending}>
            {add.isPending ? t('adding') : t('submit')}
          </button>
        </div>
      </form>
      <FormError error={err} fields={FIELDS} />
      {added && (
        <p role="status" className="success">
          {t('added', { slug: added })}
        </p>
      )}
    </section>
  );
}
