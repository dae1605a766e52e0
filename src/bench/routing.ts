import { openGeoDatabase } from '../adapters/geo.ts';
import { parseCountryCode, instantOf, type OrganisationId } from '../domain/ids.ts';
import type { Coverage, Organisation } from '../domain/organisation.ts';
import { COUNTRIES } from '../generate/catalog.ts';
import { scenario } from '../generate/scenario.ts';
import { pipelineStages } from '../pipeline/pipeline.ts';
import { NO_HASH_LISTS, type Ports } from '../pipeline/ports.ts';
import { initialState, type PipelineState } from '../pipeline/state.ts';
import { shippedRules } from '../rules/rules.service.ts';

/**
 * Issue 5's figures, on `conduit generate --geo-ips` data judged against its truth: routing accuracy (the
 * decided country against the reported person's true country) overall and per country, the share held for
 * manual triage, and what each pipeline stage costs per referral. In process, on one core: a hub with a
 * national centre for every country the generator uses, the DB-IP country database, the shipped rules.
 */
export function routingBench(
  reports = 100_000,
): { command: string; figures: Record<string, number | string> }[] {
  const seed = 'bench-routing';
  // Pass 1: each person's true country (persons are completed after their last referral).
  const trueCountry = new Map<string, string>();
  for (const e of scenario({ reports, seed, geoIps: true }))
    if (e.kind === 'person') trueCountry.set(e.person.id, e.person.trueCountry);

  const org = (slug: string, kind: Organisation['kind'], parent: Organisation | null, covers: string[]) => ({
    id: `0190a3c2-0000-7000-8000-${String(slug.length * 1000 + slug.charCodeAt(slug.length - 1) * 7 + (covers[0]?.charCodeAt(1) ?? 0)).padStart(12, '0')}` as OrganisationId,
    slug,
    name: slug,
    kind,
    country: covers[0] ? (parseCountryCode(covers[0]) ?? null) : null,
    parentId: parent?.id ?? null,
    covers: covers as Coverage[],
  });
  const hub = org('hub', 'hub', null, []);
  const centres = COUNTRIES.map((c) => org(`ncc-${c.code.toLowerCase()}`, 'national-centre', hub, [c.code]));
  const tree = [hub, ...centres];
  const source = org('source', 'referring-centre', null, []);
  const rules = shippedRules();
  const geo = openGeoDatabase();
  const ports: Ports = {
    clock: { now: () => instantOf(new Date()) },
    hashes: NO_HASH_LISTS,
    geo,
    rules: () => rules,
    routing: { receivingOrganisation: () => hub, organisations: () => tree },
  };
  const stages = pipelineStages(ports);
  const nanos = new Map<string, bigint>(stages.map((s) => [s.name, 0n]));

  const perCountry = new Map<string, { n: number; routed: number; correct: number; held: number }>();
  const holds = new Map<string, number>();
  let total = 0;
  let routed = 0;
  let correct = 0;
  let rightRecipient = 0;
  const receivedAt = instantOf(new Date('2026-01-01T00:00:00Z'));
  for (const e of scenario({ reports, seed, geoIps: true })) {
    if (e.kind !== 'report') continue;
    const truth = trueCountry.get(e.persons[0] ?? '');
    if (truth === undefined) continue;
    let state: PipelineState = initialState(e.doc, source, receivedAt);
    let held: string | undefined;
    for (const stage of stages) {
      const t = process.hrtime.bigint();
      const r = stage(state);
      nanos.set(stage.name, (nanos.get(stage.name) ?? 0n) + (process.hrtime.bigint() - t));
      if (r.kind === 'reject') throw new Error(`${e.stem}: rejected: ${JSON.stringify(r.problems)}`);
      if (r.kind === 'hold') held ??= r.reason;
      state = r.value;
    }
    total++;
    const row = perCountry.get(truth) ?? { n: 0, routed: 0, correct: 0, held: 0 };
    perCountry.set(truth, row);
    row.n++;
    if (held !== undefined) {
      row.held++;
      holds.set(held, (holds.get(held) ?? 0) + 1);
      continue;
    }
    routed++;
    row.routed++;
    if (state.jurisdiction?.country === truth) {
      correct++;
      row.correct++;
    }
    if (state.jurisdiction?.recipientOrgId === centres.find((c) => c.covers[0] === truth)?.id)
      rightRecipient++;
  }
  const us = (name: string) => Number(nanos.get(name) ?? 0n) / 1000 / Math.max(1, total);
  const added = ['normalise', 'enrich', 'prioritise', 'route'].reduce((sum, s) => sum + us(s), 0);
  const pct = (a: number, b: number) => Math.round((a / Math.max(1, b)) * 10000) / 100;
  return [
    {
      command: `routingBench(${reports}) — conduit generate --geo-ips (seed ${seed}), DB-IP country, shipped rules`,
      figures: {
        referrals: total,
        routedPct: pct(routed, total),
        heldPct: pct(total - routed, total),
        correctAmongRoutedPct: pct(correct, routed),
        rightRecipientAmongRoutedPct: pct(rightRecipient, routed),
        holds: [...holds].map(([k, v]) => `${k} ${v}`).join('; '),
        ...Object.fromEntries(stages.map((s) => [`${s.name}Us`, Math.round(us(s.name) * 10) / 10])),
        addedStagesUs: Math.round(added * 10) / 10,
        geo: geo.source,
      },
    },
    ...[...perCountry]
      .sort((a, b) => b[1].n - a[1].n)
      .map(([country, r]) => ({
        command: `routingBench(${reports}) — true country ${country}`,
        figures: {
          referrals: r.n,
          heldPct: pct(r.held, r.n),
          correctAmongRoutedPct: pct(r.correct, r.routed),
        },
      })),
  ];
}
