import type { ReactNode } from 'react';
import type {
  Account,
  Address,
  Decision,
  Email,
  EstimatedLocation,
  Identifier,
  IpEvent,
  LocationSignal,
  MediaFile,
  Person,
  Phone,
  ReferralDocument,
} from '../api/views.ts';
import { Time } from '../components/Time.tsx';
import { useNumber, useT, type Translate } from '../i18n/i18n.tsx';
import { MatchTable } from './Decision.tsx';
import { Facts, lines } from './Facts.tsx';
import { referralWords } from './messages.ts';

type T = Translate<keyof (typeof referralWords)['en']>;

/** Everything the report says, in the order an analyst reads a CyberTipline report. No file is ever shown. */
export function Report({ doc, decision }: { doc: ReferralDocument; decision: Decision | null }) {
  const t = useT(referralWords);
  return (
    <section className="report" aria-labelledby="report-title">
      <h2 id="report-title">{t('reportTitle')}</h2>
      <Incident doc={doc} />
      <Reporter doc={doc} />
      <Persons doc={doc} decision={decision} />
      <Timeline doc={doc} decision={decision} />
      <Files doc={doc} decision={decision} />
      <Victims doc={doc} />
    </section>
  );
}

const yesNo = (t: T, b: boolean | undefined): ReactNode =>
  b === undefined ? undefined : t(b ? 'yes' : 'no');

function Incident({ doc }: { doc: ReferralDocument }) {
  const t = useT(referralWords);
  const i = doc.incident;
  const le = doc.lawEnforcement;
  return (
    <section className="panel" aria-labelledby="incident-title">
      <h3 id="incident-title">{t('incidentTitle')}</h3>
      <Facts
        rows={[
          [t('incidentType'), i.type],
          [t('occurredAt'), <Time key="at" value={i.occurredAt} />],
          [t('occurredAtDescription'), i.occurredAtDescription],
          [t('platform'), i.platform],
          [t('escalation'), i.escalation],
          [t('annotations'), i.annotations.join(', ')],
          [t('batched'), i.batchedReason],
          [t('additionalInfo'), doc.additionalInfo],
        ]}
      />
      {doc.internet.length > 0 && (
        <>
          <h4>{t('internetTitle')}</h4>
          {doc.internet.map((d, n) => (
            <div key={n} className="sub-block">
              <h5>{t('detailN', { n: n + 1, kind: d.kind })}</h5>
              <Facts
                rows={[
                  [t('urls'), lines(d.urls ?? [], true)],
                  [t('thirdParty'), yesNo(t, d.thirdPartyHostedContent)],
                  [t('name'), d.name],
                  [t('client'), d.client],
                  [t('content'), d.content],
                  [t('emails'), lines((d.emails ?? []).map((e) => email(t, e)))],
                  [t('phone'), d.phone && phone(t, d.phone)],
                  [
                    t('coordinates'),
                    d.latitude !== undefined && d.longitude !== undefined
                      ? `${d.latitude}, ${d.longitude}`
                      : undefined,
                  ],
                  [t('addresses'), lines((d.addresses ?? []).map(address))],
                  [t('fileNames'), d.fileNames],
                  [t('additionalInfo'), d.additionalInfo],
                ]}
              />
            </div>
          ))}
        </>
      )}
      {le && (
        <>
          <h4>{t('lawTitle')}</h4>
          <Facts
            rows={[
              [t('agency'), le.agencyName],
              [t('caseNumber'), le.caseNumber],
              [t('officer'), le.officer && personName(le.officer)],
              [t('reportedToLe'), yesNo(t, le.reportedToLe)],
              [t('legalProcessDomestic'), yesNo(t, le.servedLegalProcessDomestic)],
              [t('legalProcessInternational'), yesNo(t, le.servedLegalProcessInternational)],
              [t('legalProcessCountry'), le.servedLegalProcessCountry],
            ]}
          />
        </>
      )}
    </section>
  );
}

function personName(p: Person): string | undefined {
  const name = [p.firstName, p.lastName].filter(Boolean).join(' ');
  return name || undefined;
}

function email(t: T, e: Email): ReactNode {
  return (
    <>
      <span className="mono">{e.address}</span>
      {e.type && <span className="muted"> ({e.type})</span>}
      {e.verified && <span className="tag">{t('verified')}</span>}
    </>
  );
}

function phone(t: T, p: Phone): ReactNode {
  return (
    <>
      <span className="mono">
        {p.countryCallingCode ? `${p.countryCallingCode} ` : ''}
        {p.number}
        {p.extension ? ` ext. ${p.extension}` : ''}
      </span>
      {p.type && <span className="muted"> ({p.type})</span>}
      {p.verified && <span className="tag">{t('verified')}</span>}
    </>
  );
}

function address(a: Address): string {
  const place = [a.street, a.city, a.zipCode, a.state ?? a.nonUsaState, a.country].filter(Boolean).join(', ');
  return a.type ? `${place} (${a.type})` : place;
}

function estimated(l: EstimatedLocation): ReactNode {
  const where = [l.city, l.region, l.countryCode].filter(Boolean).join(', ');
  return (
    <>
      {where}
      {l.at && (
        <span className="muted">
          {' '}
          (<Time value={l.at} />)
        </span>
      )}
    </>
  );
}

function PersonFacts({ p }: { p: Person }) {
  const t = useT(referralWords);
  return (
    <Facts
      rows={[
        [t('personName'), personName(p)],
        [t('age'), p.age],
        [t('dateOfBirth'), p.dateOfBirth],
        [t('emails'), lines(p.emails.map((e) => email(t, e)))],
        [t('phones'), lines(p.phones.map((x) => phone(t, x)))],
        [t('addresses'), lines(p.addresses.map(address))],
      ]}
    />
  );
}

function Reporter({ doc }: { doc: ReferralDocument }) {
  const t = useT(referralWords);
  const r = doc.reporter;
  return (
    <section className="panel" aria-labelledby="reporter-title">
      <h3 id="reporter-title">{t('reporterTitle')}</h3>
      <h4>{t('reportingPerson')}</h4>
      <PersonFacts p={r.person} />
      {r.contact && (
        <>
          <h4>{t('contact')}</h4>
          <PersonFacts p={r.contact} />
        </>
      )}
      <Facts
        rows={[
          [t('company'), r.companyTemplate],
          [t('terms'), r.termsOfService],
          [t('legalUrl'), r.legalUrl && <span className="mono">{r.legalUrl}</span>],
        ]}
      />
    </section>
  );
}

function AccountFacts({ a }: { a: Account }) {
  const t = useT(referralWords);
  const state = [
    a.compromised && t('compromised'),
    a.thirdParty && t('thirdPartyAccount'),
    a.temporarilyDisabled && t('tempDisabled'),
    a.permanentlyDisabled && t('permDisabled'),
  ].filter((s): s is string => typeof s === 'string');
  return (
    <>
      <Facts
        rows={[
          [t('espService'), a.espService],
          [t('screenName'), a.screenName && <span className="mono">{a.screenName}</span>],
          [t('espIdentifier'), a.espIdentifier && <span className="mono">{a.espIdentifier}</span>],
          [t('displayNames'), lines(a.displayNames)],
          [t('profileUrls'), lines(a.profileUrls, true)],
          [t('profileBio'), a.profileBio],
          [t('group'), a.groupIdentifier && <span className="mono">{a.groupIdentifier}</span>],
          [t('accountState'), state.join(', ')],
          [t('estimatedLocation'), a.estimatedLocation && estimated(a.estimatedLocation)],
          [
            t('devices'),
            lines(
              a.devices.map((d, i) => (
                <span key={i}>
                  <span className="mono">
                    {d.idType} {d.idValue}
                  </span>
                  {d.event && <span className="muted"> {d.event}</span>}
                  {d.at && (
                    <span className="muted">
                      {' '}
                      <Time value={d.at} />
                    </span>
                  )}
                </span>
              )),
            ),
          ],
          [t('priorReports'), lines(a.priorReports, true)],
          [t('vehicle'), a.vehicleDescription],
          [t('additionalInfo'), a.additionalInfo],
        ]}
      />
      {a.person && <PersonFacts p={a.person} />}
    </>
  );
}

function Persons({ doc, decision }: { doc: ReferralDocument; decision: Decision | null }) {
  const t = useT(referralWords);
  const n = useNumber();
  return (
    <section className="panel" aria-labelledby="persons-title">
      <h3 id="persons-title">{t('personsTitle', { count: n(doc.reportedPersons.length) })}</h3>
      {doc.reportedPersons.length === 0 && <p className="empty">{t('noPersons')}</p>}
      {doc.reportedPersons.map((a, i) => (
        <div key={i} className="sub-block">
          <h4>{t('personN', { n: i + 1 })}</h4>
          <AccountFacts a={a} />
          {a.associatedAccounts.map((x, j) => (
            <div key={j} className="nested">
              <h5>
                {t('associatedN', { n: j + 1, type: x.platform ? `${x.type}, ${x.platform}` : x.type })}
              </h5>
              <AccountFacts a={x} />
            </div>
          ))}
          <Identifiers
            ids={(decision?.identifiers ?? []).filter(
              (x) => (x.role === 'reported' || x.role === 'associated') && x.account === i,
            )}
            caption={t('identifiersCaption', { n: i + 1 })}
          />
        </div>
      ))}
      {doc.intendedRecipients.length > 0 && (
        <>
          <h4>{t('recipientsTitle', { count: n(doc.intendedRecipients.length) })}</h4>
          {doc.intendedRecipients.map((a, i) => (
            <div key={i} className="sub-block">
              <h5>{t('recipientN', { n: i + 1 })}</h5>
              <AccountFacts a={a} />
            </div>
          ))}
        </>
      )}
    </section>
  );
}

function factsOf(t: T, x: Identifier): string {
  const f = x.facts;
  if (!f) return '';
  return [
    f.country,
    f.numberType,
    f.valid === false ? 'invalid' : undefined,
    f.ipRange,
    f.proxy ? t('proxyYes') : undefined,
    f.domain,
    f.verified ? t('verified') : undefined,
  ]
    .filter(Boolean)
    .join(', ');
}

function Identifiers({ ids, caption }: { ids: readonly Identifier[]; caption: string }) {
  const t = useT(referralWords);
  if (ids.length === 0) return null;
  return (
    <table className="compact">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{t('colKind')}</th>
          <th scope="col">{t('colValue')}</th>
          <th scope="col">{t('colRaw')}</th>
          <th scope="col">{t('colFacts')}</th>
        </tr>
      </thead>
      <tbody>
        {ids.map((x, i) => (
          <tr key={i}>
            <td>{x.service ? `${x.kind} (${x.service})` : x.kind}</td>
            <td className="mono">{x.value}</td>
            <td className="mono">{x.raw === x.value ? '' : x.raw}</td>
            <td>{factsOf(t, x)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

interface Capture {
  readonly ev: IpEvent;
  readonly who: string;
}

/** Every IP address the report captured, whoever it belongs to, in time order (undated ones last). */
function captures(t: T, doc: ReferralDocument): Capture[] {
  const out: Capture[] = [];
  doc.reportedPersons.forEach((a, i) => {
    for (const ev of a.ipEvents) out.push({ ev, who: t('whoPerson', { n: i + 1 }) });
    for (const x of a.associatedAccounts)
      for (const ev of x.ipEvents) out.push({ ev, who: t('whoAssociated', { n: i + 1 }) });
  });
  doc.intendedRecipients.forEach((a, i) => {
    for (const ev of a.ipEvents) out.push({ ev, who: t('whoRecipient', { n: i + 1 }) });
  });
  doc.victims.forEach((v, i) => {
    for (const ev of v.ipEvents) out.push({ ev, who: t('whoVictim', { n: i + 1 }) });
  });
  doc.files.forEach((f, i) => {
    if (f.ipEvent) out.push({ ev: f.ipEvent, who: t('whoFile', { n: i + 1 }) });
  });
  doc.internet.forEach((d, i) => {
    for (const ev of d.ipEvents ?? []) out.push({ ev, who: t('whoDetail', { n: i + 1 }) });
  });
  return out.sort((a, b) => {
    if (a.ev.at === b.ev.at) return 0;
    if (a.ev.at === undefined) return 1;
    if (b.ev.at === undefined) return -1;
    return Date.parse(a.ev.at) - Date.parse(b.ev.at);
  });
}

function place(s: LocationSignal): string {
  return [s.country, s.region, s.city].filter(Boolean).join(' · ');
}

function Timeline({ doc, decision }: { doc: ReferralDocument; decision: Decision | null }) {
  const t = useT(referralWords);
  const n = useNumber();
  const rows = captures(t, doc);
  const geo = new Map<string, LocationSignal>();
  for (const s of decision?.jurisdiction.signals ?? []) if (s.kind === 'ip') geo.set(s.evidence, s);
  return (
    <section className="panel" aria-labelledby="timeline-title">
      <h3 id="timeline-title">{t('timelineTitle')}</h3>
      {rows.length === 0 ? (
        <p className="empty">{t('noTimeline')}</p>
      ) : (
        <table className="compact timeline">
          <caption className="sr-only">{t('timelineCaption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('colTime')}</th>
              <th scope="col">{t('colIp')}</th>
              <th scope="col">{t('colPort')}</th>
              <th scope="col">{t('colEvent')}</th>
              <th scope="col">{t('colProxy')}</th>
              <th scope="col">{t('colGeo')}</th>
              <th scope="col">{t('colWhose')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(({ ev, who }, i) => {
              const g = geo.get(ev.address);
              return (
                <tr key={i}>
                  <td>{ev.at ? <Time value={ev.at} /> : <span className="muted">{t('noTime')}</span>}</td>
                  <td className="mono">{ev.address}</td>
                  <td>{ev.port === undefined ? '' : n(ev.port)}</td>
                  <td>{ev.event ?? ''}</td>
                  <td>{ev.possibleProxy ? <strong>{t('proxyYes')}</strong> : ''}</td>
                  <td>{g ? place(g) : ''}</td>
                  <td>{who}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Files({ doc, decision }: { doc: ReferralDocument; decision: Decision | null }) {
  const t = useT(referralWords);
  const n = useNumber();
  return (
    <section className="panel" aria-labelledby="files-title">
      <h3 id="files-title">{t('filesTitle', { count: n(doc.files.length) })}</h3>
      <p className="muted">{t('noPreview')}</p>
      {doc.files.length === 0 && <p className="empty">{t('noFiles')}</p>}
      {doc.files.map((f, i) => (
        <FileBlock key={i} f={f} index={i} decision={decision} />
      ))}
    </section>
  );
}

function FileBlock({ f, index, decision }: { f: MediaFile; index: number; decision: Decision | null }) {
  const t = useT(referralWords);
  const n = useNumber();
  const matches = (decision?.matches ?? []).filter((m) => m.file === index);
  const media = decision?.media;
  const c = f.computed;
  const hashes: [string, string, boolean][] = [];
  const add = (kind: string, declared: string | undefined, computed: string | undefined) => {
    const v = computed ?? declared;
    if (v) hashes.push([kind, v, computed !== undefined]);
  };
  add('MD5', f.hashes.md5, c?.md5);
  add('SHA-1', f.hashes.sha1, c?.sha1);
  add('SHA-256', f.hashes.sha256, c?.sha256);
  add('PDQ', f.hashes.pdq, undefined);
  for (const o of f.hashes.other) hashes.push([o.type, o.value, false]);
  const flags = [
    media?.unknown.includes(index) && t('fileUnknown'),
    media?.lowQualityPdq.includes(index) && t('fileLowQuality'),
    media?.suppressed.includes(index) && t('fileSuppressed'),
  ].filter((s): s is string => typeof s === 'string');
  return (
    <div className="sub-block file">
      <h4>
        {t('fileN', { n: index + 1 })}
        {f.fileName && (
          <>
            : <span className="mono">{f.fileName}</span>
          </>
        )}
      </h4>
      <Facts
        rows={[
          [t('originalFileName'), f.originalFileName && <span className="mono">{f.originalFileName}</span>],
          [t('fileId'), f.fileId && <span className="mono">{f.fileId}</span>],
          [t('size'), c ? t('bytes', { n: n(c.size) }) : undefined],
          [t('uploadedAt'), f.uploadedAt && <Time value={f.uploadedAt} />],
          [t('relevance'), f.relevance],
          [t('annotations'), f.annotations.join(', ')],
          [t('industry'), f.industryClassification],
          [t('viewedByEsp'), yesNo(t, f.viewedByEsp)],
          [t('exifViewed'), yesNo(t, f.exifViewedByEsp)],
          [t('publiclyAvailable'), yesNo(t, f.publiclyAvailable)],
          [t('location'), f.location],
          [t('pdqQuality'), f.hashes.pdqQuality],
          [
            t('details'),
            lines(
              f.details.flatMap((d) =>
                d.pairs.map((p) => `${d.type ? `${d.type} ` : ''}${p.name}: ${p.value}`),
              ),
              true,
            ),
          ],
          [t('additionalInfo'), lines(f.additionalInfo)],
        ]}
      />
      {hashes.length > 0 && (
        <table className="compact hashes">
          <caption className="sr-only">{t('hashesCaption', { n: index + 1 })}</caption>
          <tbody>
            {hashes.map(([kind, value, computed]) => (
              <tr key={kind + value}>
                <th scope="row">{kind}</th>
                <td className="mono">
                  {value}
                  {computed && <span className="muted"> ({t('computed')})</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {flags.map((s) => (
        <p key={s} className="file-flag">
          {s}
        </p>
      ))}
      {matches.length > 0 ? (
        <MatchTable
          matches={matches}
          files={[]}
          caption={t('fileMatches', { n: index + 1 })}
          showFile={false}
        />
      ) : (
        !flags.length && <p className="muted">{t('fileNoMatch')}</p>
      )}
    </div>
  );
}

function Victims({ doc }: { doc: ReferralDocument }) {
  const t = useT(referralWords);
  const n = useNumber();
  return (
    <section className="panel" aria-labelledby="victims-title">
      <h3 id="victims-title">{t('victimsTitle', { count: n(doc.victims.length) })}</h3>
      {doc.victims.length === 0 && <p className="empty">{t('noVictims')}</p>}
      {doc.victims.map((v, i) => (
        <div key={i} className="sub-block">
          <h4>{t('victimN', { n: i + 1 })}</h4>
          <Facts
            rows={[
              [t('age'), v.age],
              [t('espService'), v.espService],
              [t('screenName'), v.screenName && <span className="mono">{v.screenName}</span>],
              [t('espIdentifier'), v.espIdentifier && <span className="mono">{v.espIdentifier}</span>],
              [t('estimatedLocation'), v.estimatedLocation && estimated(v.estimatedLocation)],
              [t('additionalInfo'), v.additionalInfo],
            ]}
          />
        </div>
      ))}
    </section>
  );
}
