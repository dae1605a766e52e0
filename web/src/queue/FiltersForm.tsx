import { useEffect, useState } from 'react';
import type { Organisation } from '../api/views.ts';
import { useT } from '../i18n/i18n.tsx';
import { LEVELS } from './api.ts';
import { DEFAULT_FILTERS, isCountry, isFiltered, type Filters } from './filters.ts';
import { queueWords } from './messages.ts';
import { triageWords } from './shared.tsx';

/** The queue's filters; each change applies at once (and lands in the page address). */
export function FiltersForm({
  filters,
  onChange,
  queues,
}: {
  filters: Filters;
  onChange: (f: Filters) => void;
  /** The organisations whose queues the user may read, when more than their own. */
  queues: readonly Organisation[];
}) {
  const t = useT(queueWords);
  const tw = useT(triageWords);
  const [country, setCountry] = useState(filters.country);
  useEffect(() => setCountry(filters.country), [filters.country]);
  const set = (patch: Partial<Filters>) => onChange({ ...filters, ...patch });
  const typeCountry = (v: string) => {
    const c = v.toUpperCase().slice(0, 2);
    setCountry(c);
    if (c === '' || isCountry(c)) set({ country: c });
  };
  return (
    <form className="queue-filters" aria-label={t('filters')} onSubmit={(e) => e.preventDefault()}>
      {queues.length > 1 && (
        <label>
          {t('organisation')}
          <select value={filters.org} onChange={(e) => set({ org: e.target.value })}>
            <option value="">{t('ownOrganisation')}</option>
            {queues.map((o) => (
              <option key={o.id} value={o.slug}>
                {o.slug}
              </option>
            ))}
          </select>
        </label>
      )}
      <fieldset className="levels">
        <legend>{t('levels')}</legend>
        {LEVELS.map((l) => (
          <label key={l} className="check">
            <input
              type="checkbox"
              checked={filters.levels.includes(l)}
              onChange={(e) =>
                set({
                  levels: e.target.checked
                    ? LEVELS.filter((x) => x === l || filters.levels.includes(x))
                    : filters.levels.filter((x) => x !== l),
                })
              }
            />
            <span className={`badge level-${l}`}>
              <span className="sr-only">{tw('levelWord')} </span>
              {l}
            </span>
          </label>
        ))}
      </fieldset>
      <label>
        {t('country')}
        <input
          type="text"
          className="country-input"
          value={country}
          maxLength={2}
          autoComplete="off"
          spellCheck={false}
          pattern="[A-Za-z]{2}"
          title={t('countryHint')}
          aria-describedby="country-hint"
          onChange={(e) => typeCountry(e.target.value)}
        />
        <span id="country-hint" className="hint">
          {t('countryHint')}
        </span>
      </label>
      <label>
        {t('status')}
        <select value={filters.status} onChange={(e) => set({ status: e.target.value as Filters['status'] })}>
          <option value="pending">{t('statusPending')}</option>
          <option value="accepted">{t('statusAccepted')}</option>
          <option value="all">{t('statusAll')}</option>
        </select>
      </label>
      <label>
        {t('hasMatches')}
        <select
          value={filters.hasMatches}
          onChange={(e) => set({ hasMatches: e.target.value as Filters['hasMatches'] })}
        >
          <option value="">{t('any')}</option>
          <option value="yes">{t('yes')}</option>
          <option value="no">{t('no')}</option>
        </select>
      </label>
      <label>
        {t('held')}
        <select value={filters.held} onChange={(e) => set({ held: e.target.value as Filters['held'] })}>
          <option value="">{t('any')}</option>
          <option value="yes">{t('heldYes')}</option>
          <option value="no">{t('heldNo')}</option>
        </select>
      </label>
      <label>
        {t('classification')}
        <select
          value={filters.classification}
          onChange={(e) => set({ classification: e.target.value as Filters['classification'] })}
        >
          <option value="actionable">{tw('actionable')}</option>
          <option value="informational">{tw('informational')}</option>
          <option value="all">{t('classificationAll')}</option>
        </select>
      </label>
      <button type="button" disabled={!isFiltered(filters)} onClick={() => onChange(DEFAULT_FILTERS)}>
        {t('clearFilters')}
      </button>
    </form>
  );
}
