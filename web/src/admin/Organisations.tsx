import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, ok } from '../api/client.ts';
import type { Organisation, OrganisationKind } from '../api/views.ts';
import { messages, useT } from '../i18n/i18n.tsx';
import { useSession } from '../session.tsx';
import { keys, useOrganisations } from './queries.ts';
import {
  AdminPage,
  Field,
  FormPanel,
  ListPanel,
  OrganisationField,
  SelectField,
  Success,
} from './shared.tsx';
import { ORGANISATION_KINDS } from './types.ts';

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
  const session = useSession();
  const orgs = useOrganisations();
  return (
    <AdminPage section="organisations">
      <ListPanel title={t('tree')} query={orgs} count={t}>
        {(list) => <Tree orgs={list} />}
      </ListPanel>
      {session.can('organisation.write') && orgs.data && <AddOrganisation own={session.user.organisation} />}
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

function AddOrganisation({ own }: { own: string }) {
  const t = useT(m);
  const queries = useQueryClient();
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
  const err = add.error;
  return (
    <FormPanel
      title={t('add')}
      help={t('addHelp')}
      submit={t('submit')}
      busy={t('adding')}
      pending={add.isPending}
      onSubmit={() => add.mutate()}
      error={err}
      fields={FIELDS}
      outcome={added && <Success>{t('added', { slug: added })}</Success>}
    >
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
      <SelectField
        label={t('kind')}
        field="kind"
        error={err}
        value={kind}
        onChange={setKind}
        options={ORGANISATION_KINDS.map((k) => [k, t(k)] as const)}
      />
      <Field label={t('countryField')} hint={t('countryHint')} error={err} field="country">
        {(p) => (
          <input {...p} value={country} maxLength={2} size={4} onChange={(e) => setCountry(e.target.value)} />
        )}
      </Field>
      <OrganisationField label={t('parent')} field="parent" value={parent} onChange={setParent} error={err} />
      <Field label={t('coversField')} hint={t('coversHint')} error={err} field="covers">
        {(p) => <input {...p} value={covers} onChange={(e) => setCovers(e.target.value)} />}
      </Field>
    </FormPanel>
  );
}
