import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Problem } from '../../domain/errors.ts';
import type { ReferralDocument } from '../../domain/referral.ts';
import { MAX_PROBLEMS } from './cybertipline-schema.ts';
import { parseCyberTipline } from './cybertipline.ts';

const EXAMPLES = new URL('../../../../shared/reference/cybertipline/examples/', import.meta.url);
const NOW = new Date('2026-01-01T00:00:00Z');

function example(stem: string, kind: 'report' | 'fileDetails'): string {
  return readFileSync(new URL(`${stem}.${kind}.xml`, EXAMPLES), 'utf8');
}
const EX1 = 'example-01-chatim-enticement';
const EX2 = 'example-02-webpage-upload';
const EX3 = 'example-03-batched-viral';

function parse(report: string | Buffer, fileDetails: readonly (string | Buffer)[] = [], now = NOW) {
  return parseCyberTipline({ report, fileDetails, now });
}

function ok(report: string | Buffer, fileDetails: readonly (string | Buffer)[] = []): ReferralDocument {
  const r = parse(report, fileDetails);
  if (!r.ok) throw new Error(`expected a valid submission, got ${JSON.stringify(r.problems, null, 2)}`);
  return r.value;
}

function problems(
  report: string | Buffer,
  fileDetails: readonly (string | Buffer)[] = [],
  now = NOW,
): readonly Problem[] {
  const r = parse(report, fileDetails, now);
  if (r.ok) throw new Error('expected the submission to be refused');
  return r.problems;
}

/** The example with `from` replaced by `to` (which must occur). */
function edit(xml: string, from: string, to: string): string {
  expect(xml).toContain(from);
  return xml.replace(from, to);
}

/** A minimal valid report with `body` inserted after the incident summary. */
function report(body = '', summary = ''): string {
  return (
    '<report><incidentSummary><incidentType>Child Sex Trafficking</incidentType>' +
    `${summary}<incidentDateTime>2025-01-01T00:00:00Z</incidentDateTime></incidentSummary>` +
    `${body}<reporter><reportingPerson><email>r@example.com</email></reportingPerson></reporter></report>`
  );
}

function fileDetails(body = ''): string {
  return `<fileDetails><reportId>1</reportId><fileId>f1</fileId>${body}</fileDetails>`;
}

describe('parseCyberTipline: the three reference examples', () => {
  it('maps example 01 (chat enticement): incident, annotations, reported person, victim and the supplemental file', () => {
    const doc = ok(example(EX1, 'report'), [example(EX1, 'fileDetails')]);
    expect(doc.sourceRef).toBeUndefined();
    expect(doc.incident).toEqual({
      type: 'Online Enticement of Children for Sexual Acts',
      occurredAt: '2025-06-14T19:37:05.000Z',
      occurredAtDescription: 'Time the in-app user report was received by the ESP (Europe/Rome).',
      platform: 'ExampleChat for Android',
      escalation:
        'Synthetic test text: reported user states an intention to meet the child in person this weekend.',
      annotations: ['sextortion', 'csamSolicitation'],
    });
    expect(doc.internet).toEqual([
      {
        kind: 'chatIm',
        client: 'ExampleChat 7.3.1',
        name: 'direct-message',
        content: expect.stringContaining('[synthetic placeholder') as unknown,
        additionalInfo: expect.stringContaining('preservation hold') as unknown,
      },
    ]);
    expect(doc.reporter.person.emails).toEqual([
      { address: 'trust-safety@example.com', type: 'Business', verified: true },
    ]);
    expect(doc.reporter.contact?.lastName).toBe('Response Desk');
    expect(doc.reporter.legalUrl).toBe('https://www.example.com/legal/law-enforcement');

    expect(doc.reportedPersons).toHaveLength(1);
    const suspect = doc.reportedPersons[0];
    expect(suspect?.person?.phones).toEqual([
      {
        number: '06 0000 0101',
        countryCallingCode: '+39',
        type: 'Mobile',
        verified: true,
        verifiedAt: '2024-11-02T10:00:00.000Z',
      },
    ]);
    expect(suspect?.person?.emails.map((e) => [e.address, e.type, e.verified])).toEqual([
      ['reported.user.0001@example.net', 'Home', true],
      ['recovery.0001@example.org', 'Recovery', false],
    ]);
    expect(suspect?.person?.age).toBe(34);
    expect(suspect?.espIdentifier).toBe('usr_7f3a9c2e10');
    expect(suspect?.screenName).toBe('night_owl_placeholder');
    expect(suspect?.displayNames).toEqual(['Night Owl (synthetic)', 'N.O.']);
    expect(suspect?.ipEvents).toEqual([
      {
        address: '203.0.113.45',
        event: 'Registration',
        at: '2024-11-02T09:58:12.000Z',
        possibleProxy: false,
        port: 51514,
      },
      {
        address: '2001:db8:85a3::8a2e:370:7334',
        event: 'Login',
        at: '2025-06-14T19:02:44.000Z',
        possibleProxy: true,
        port: 443,
      },
    ]);
    expect(suspect?.devices).toEqual([
      { idType: 'IMEI', idValue: '000000000000000', event: 'Login', at: '2025-06-14T19:02:44.000Z' },
    ]);
    expect(suspect?.thirdParty).toBe(false);
    expect(suspect?.compromised).toBe(false);
    expect(suspect?.permanentlyDisabled).toBe(true);
    expect(suspect?.temporarilyDisabled).toBeUndefined();
    expect(suspect?.priorReports).toEqual(['100000001']);
    expect(suspect?.groupIdentifier).toBe('group-id: grp_000042 (synthetic)');
    expect(suspect?.estimatedLocation).toEqual({
      city: 'Roma',
      region: 'Lazio',
      countryCode: 'IT',
      verified: false,
      at: '2025-06-14T19:02:44.000Z',
    });
    expect(suspect?.associatedAccounts).toHaveLength(1);
    expect(suspect?.associatedAccounts[0]).toMatchObject({
      type: 'Linked',
      platform: 'ExampleChat Web',
      thirdParty: false,
      espIdentifier: 'usr_7f3a9c2e11',
      screenName: 'night_owl_placeholder_2',
      ipEvents: [{ address: '198.51.100.23', event: 'Login', at: '2025-05-30T08:15:00.000Z' }],
    });

    // A victim keeps only its age and account-level identifiers.
    expect(doc.victims).toEqual([
      {
        age: 13,
        espIdentifier: 'usr_1b2c3d4e5f',
        espService: 'ExampleChat Messenger',
        screenName: 'placeholder_child_account',
        ipEvents: [{ address: '203.0.113.77', event: 'Login', at: '2025-06-14T18:55:00.000Z' }],
        estimatedLocation: { city: 'Roma', countryCode: 'IT', verified: false },
        additionalInfo: 'Self-declared age at sign-up (synthetic).',
      },
    ]);
    expect(doc.additionalInfo).toBe('Synthetic example generated for schema testing only.');

    expect(doc.files).toEqual([
      {
        fileId: '772e6478a1fd430b192573735826ab04',
        fileName: 'thread_usr_7f3a9c2e10_usr_1b2c3d4e5f.csv',
        viewedByEsp: true,
        publiclyAvailable: false,
        relevance: 'Supplemental Reported',
        annotations: [],
        hashes: { sha256: 'ee74bc0df9ea68d0e00f4b1d6999126ec5038f16ba7db0e96db877ebb30b6645', other: [] },
        devices: [],
        details: [],
        additionalInfo: [expect.stringContaining('Message export') as unknown],
      },
    ]);
  });

  it('maps example 02 (hash-matched upload): web page, file hashes incl. PDQ from details, EXIF, annotation and classification', () => {
    const doc = ok(example(EX2, 'report'), [example(EX2, 'fileDetails')]);
    expect(doc.incident.type).toBe('Child Pornography (possession, manufacture, and distribution)');
    expect(doc.incident.escalation).toBeUndefined();
    expect(doc.incident.annotations).toEqual([]);
    expect(doc.internet).toEqual([
      {
        kind: 'webPage',
        urls: ['https://drive.example.com/s/AbCdEf0123'],
        thirdPartyHostedContent: false,
        additionalInfo: expect.stringContaining('Share link') as unknown,
      },
    ]);
    expect(doc.reportedPersons[0]?.temporarilyDisabled).toBe(true);
    expect(doc.reportedPersons[0]?.ipEvents).toEqual([
      { address: '198.51.100.201', event: 'Upload', at: '2025-03-02T08:14:55.000Z', port: 60211 },
    ]);
    const file = doc.files[0];
    expect(file).toMatchObject({
      fileId: '58f463c3f3c7c72bf2a4e1dc78dbb23a',
      fileName: 'acct-000000002_upload_88231.jpg',
      originalFileName: 'IMG_0001.jpg',
      uploadedAt: '2025-03-02T08:14:55.000Z',
      location: 'https://drive.example.com/s/AbCdEf0123',
      viewedByEsp: false,
      exifViewedByEsp: false,
      publiclyAvailable: true,
      relevance: 'Reported',
      annotations: ['viral'],
      industryClassification: 'B2',
      ipEvent: { address: '198.51.100.201', event: 'Upload', at: '2025-03-02T08:14:55.000Z', port: 60211 },
    });
    expect(file?.hashes).toEqual({
      md5: '5727647ebca74e1a1092482990cff7f1',
      sha1: '40c88955f366b33f299aedb5416550cdc1c63027',
      sha256: 'dc4fc541eb219c9d09fa77949a8b443b835919e673014eeb6595ca41cb5ba1ba',
      pdq: '0'.repeat(64),
      other: [],
    });
    expect(file?.details).toEqual([
      {
        type: 'EXIF',
        pairs: [
          { name: 'Make', value: 'ExampleCam' },
          { name: 'DateTimeOriginal', value: '2025:02:28 17:03:11' },
        ],
      },
      { type: 'HASH', pairs: [{ name: 'PDQ', value: '0'.repeat(64) }] },
    ]);
  });

  it('maps example 03 (bundled viral report): batched reason, two reported users, law enforcement with fleaCountry', () => {
    const doc = ok(example(EX3, 'report'), [example(EX3, 'fileDetails')]);
    expect(doc.incident.batchedReason).toBe('VIRAL_POTENTIAL_MEME');
    expect(doc.incident.annotations).toEqual(['spam']);
    expect(doc.internet[0]?.urls).toEqual([
      'https://social.example.com/p/1111',
      'https://social.example.com/p/2222',
    ]);
    expect(doc.reportedPersons.map((p) => [p.espIdentifier, p.screenName, p.ipEvents[0]?.address])).toEqual([
      ['sx-0001', 'sharer_one', '203.0.113.10'],
      ['sx-0002', 'sharer_two', '203.0.113.11'],
    ]);
    expect(doc.reportedPersons[0]?.person).toBeUndefined();
    expect(doc.lawEnforcement).toEqual({
      agencyName: 'Placeholder Police Agency (synthetic)',
      caseNumber: 'PPA-2025-0001',
      officer: {
        firstName: 'Maria',
        lastName: 'Esempio',
        phones: [{ number: '06 0000 0000', countryCallingCode: '+39', type: 'Work' }],
        emails: [{ address: 'officer@example.org', type: 'Work' }],
        addresses: [],
      },
      reportedToLe: false,
      servedLegalProcessDomestic: false,
      servedLegalProcessInternational: true,
      servedLegalProcessCountry: 'IT',
    });
    expect(doc.files[0]?.annotations).toEqual(['potentialMeme', 'viral']);
    expect(doc.files[0]?.hashes).toEqual({
      md5: '4fff623c06621a2736880b67bcb06036',
      sha1: '36955cfdbb4c3f2b3b991c5837c6cd1981cd80df',
      other: [],
    });
  });

  it('reads Buffers and strings alike, and keeps fileDetails in the order given', () => {
    const fromStrings = ok(example(EX2, 'report'), [
      example(EX2, 'fileDetails'),
      example(EX1, 'fileDetails'),
    ]);
    const fromBuffers = ok(Buffer.from(example(EX2, 'report')), [
      Buffer.from(example(EX2, 'fileDetails')),
      Buffer.from(example(EX1, 'fileDetails')),
    ]);
    expect(fromBuffers).toEqual(fromStrings);
    expect(fromStrings.files.map((f) => f.fileId)).toEqual([
      '58f463c3f3c7c72bf2a4e1dc78dbb23a',
      '772e6478a1fd430b192573735826ab04',
    ]);
  });

  it('accepts a report without fileDetails', () => {
    expect(ok(example(EX3, 'report')).files).toEqual([]);
  });
});

describe('parseCyberTipline: refusing unsafe or unreadable input', () => {
  it('refuses a DOCTYPE with an entity as doctype_forbidden and never expands it', () => {
    const xml = report('', '<platform>&secret;</platform>').replace(
      '<report>',
      '<?xml version="1.0"?><!DOCTYPE report [<!ENTITY secret "EXPANDED-ENTITY">]><report>',
    );
    const ps = problems(xml);
    expect(ps).toEqual([
      { code: 'doctype_forbidden', path: '/report', message: expect.any(String) as unknown },
    ]);
    expect(JSON.stringify(ps)).not.toContain('EXPANDED-ENTITY');
    // Lower case, and in a fileDetails document, too.
    expect(
      problems(report(), [fileDetails().replace('<fileDetails>', '<!doctype fileDetails><fileDetails>')]),
    ).toEqual([
      { code: 'doctype_forbidden', path: '/fileDetails[0]', message: expect.any(String) as unknown },
    ]);
  });

  it('refuses invalid UTF-8 bytes as malformed_input', () => {
    const bytes = Buffer.concat([
      Buffer.from(report().slice(0, 40)),
      Buffer.from([0xc3, 0x28, 0xff]),
      Buffer.from(report().slice(40)),
    ]);
    expect(problems(bytes)).toEqual([
      { code: 'malformed_input', path: '/report', message: 'the document is not valid UTF-8' },
    ]);
  });

  it('refuses XML that is not well-formed, naming line and column', () => {
    const ps = problems(
      report()
        .replace('</incidentType>', '</incidentTyp>')
        .replace('<incidentSummary>', '\n<incidentSummary>\n'),
    );
    expect(ps).toHaveLength(1);
    expect(ps[0]?.code).toBe('malformed_input');
    expect(ps[0]?.message).toMatch(
      /line 3, column \d+: end tag <\/incidentTyp> does not match <incidentType>/,
    );
  });

  it.each([
    ['an undefined entity', report('', '<platform>&nbsp;</platform>')],
    ['a bare ampersand', report('', '<platform>A & B</platform>')],
    ['an unquoted attribute', report('<batchedReport reason=VIRAL_POTENTIAL_MEME/>')],
    [
      'a repeated attribute',
      report('<batchedReport reason="VIRAL_POTENTIAL_MEME" reason="VIRAL_POTENTIAL_MEME"/>'),
    ],
    ['a control character', report('', '<platform>a\u0001b</platform>')],
    ['a lone surrogate', report('', '<platform>a\uD800b</platform>')],
    ['an unclosed element', report().replace('</report>', '')],
    ['two root elements', `${report()}<report/>`],
    ['text after the root', `${report()}x`],
    ['"--" in a comment', report().replace('<reporter>', '<!-- a -- b --><reporter>')],
    ['a late XML declaration', ` <?xml version="1.0"?>${report()}`],
    ['a non-UTF-8 encoding', `<?xml version="1.0" encoding="ISO-8859-1"?>${report()}`],
  ])('refuses %s as malformed_input', (_what, xml) => {
    expect(problems(xml).map((p) => p.code)).toEqual(['malformed_input']);
  });

  it('reads references, CDATA, comments and processing instructions like any XML parser', () => {
    const doc = ok(
      report(
        '<!-- c --><?pi data?>',
        '<platform>A &amp; B &#x263A;&#65;<![CDATA[<raw> & ]]>z</platform><escalateToHighPriority>x<!-- c -->y</escalateToHighPriority>',
      ).replace('<report>', '\uFEFF<?xml version="1.0" encoding="utf-8"?>\r\n<!-- lead -->\r\n<report>'),
    );
    expect(doc.incident.platform).toBe('A & B \u263AA<raw> & z');
    expect(doc.incident.escalation).toBe('xy');
  });

  it('refuses a document whose root element is not <report> or <fileDetails>', () => {
    expect(problems('<incidentSummary/>')).toEqual([
      {
        code: 'schema_violation',
        path: '/report',
        message: 'the root element must be <report>, found <incidentSummary>',
      },
    ]);
    expect(problems(report(), [report()])[0]).toMatchObject({
      code: 'schema_violation',
      path: '/fileDetails[0]',
    });
  });

  it('refuses elements in a namespace and attributes the schema does not declare', () => {
    expect(problems(report().replace('<report>', '<report xmlns="urn:example">'))[0]).toMatchObject({
      code: 'schema_violation',
      path: '/report',
    });
    expect(problems(report().replace('<report>', '<report xml:lang="en">'))[0]).toMatchObject({
      code: 'schema_violation',
      path: '/report/@xml:lang',
    });
    // The usual xsi:noNamespaceSchemaLocation is fine.
    ok(example(EX3, 'report'));
  });
});

describe('parseCyberTipline: Conduit checks beyond the XSD', () => {
  const ex1 = example(EX1, 'report');

  it('refuses a malformed IP address as invalid_ip, naming the capture event', () => {
    const ps = problems(edit(ex1, '2001:db8:85a3::8a2e:370:7334', '2001:db8:85a3::8a2e:370:7334:1:2'));
    expect(ps).toEqual([
      {
        code: 'invalid_ip',
        path: '/report/personOrUserReported[0]/ipCaptureEvent[1]/ipAddress',
        message: expect.stringContaining('<ipAddress>') as unknown,
      },
    ]);
    expect(problems(edit(ex1, '203.0.113.45', '203.0.113.256'))[0]?.path).toBe(
      '/report/personOrUserReported[0]/ipCaptureEvent[0]/ipAddress',
    );
    // Legacy IPv4 spellings (octal, shortened) are not addresses a provider logs.
    expect(problems(edit(ex1, '203.0.113.45', '203.0.113.045'))[0]?.code).toBe('invalid_ip');
    expect(problems(edit(ex1, '203.0.113.45', '203.113'))[0]?.code).toBe('invalid_ip');
  });

  it('stores IP addresses in canonical form: IPv4-mapped IPv6 unwrapped, IPv6 compressed per RFC 5952', () => {
    const mapped = ok(edit(ex1, '203.0.113.45', '::ffff:203.0.113.45'));
    expect(mapped.reportedPersons[0]?.ipEvents[0]?.address).toBe('203.0.113.45');
    const long = ok(edit(ex1, '2001:db8:85a3::8a2e:370:7334', ' 2001:0DB8:85A3:0000:0000:8A2E:0370:7334 '));
    expect(long.reportedPersons[0]?.ipEvents[1]?.address).toBe('2001:db8:85a3::8a2e:370:7334');
  });

  it('refuses a malformed e-mail address as invalid_email', () => {
    const ps = problems(edit(ex1, 'recovery.0001@example.org', 'recovery.0001 at example'));
    expect(ps).toEqual([
      {
        code: 'invalid_email',
        path: '/report/personOrUserReported[0]/personOrUserReportedPerson/email[1]',
        message: expect.stringContaining('e-mail address') as unknown,
      },
    ]);
    for (const bad of [
      'a@b@example.com',
      '@example.com',
      'user@localhost',
      'us er@example.com',
      `${'a'.repeat(250)}@example.com`,
      '',
    ]) {
      expect(problems(edit(ex1, 'recovery.0001@example.org', bad))[0]?.code).toBe('invalid_email');
    }
  });

  it('refuses an incident in the future as invalid_date, allowing five minutes of clock skew', () => {
    const at = edit(ex1, '2025-06-14T21:37:05+02:00', '2025-06-14T19:40:00Z');
    const now = new Date('2025-06-14T19:34:59Z');
    expect(problems(at, [], now)).toEqual([
      {
        code: 'invalid_date',
        path: '/report/incidentSummary/incidentDateTime',
        message: expect.stringContaining('future') as unknown,
      },
    ]);
    expect(parse(at, [], new Date('2025-06-14T19:35:01Z')).ok).toBe(true);
  });

  it('refuses an impossible date as invalid_date', () => {
    expect(problems(edit(ex1, '2025-06-14T21:37:05+02:00', '2025-02-30T10:00:00Z'))).toEqual([
      {
        code: 'invalid_date',
        path: '/report/incidentSummary/incidentDateTime',
        message: expect.stringContaining('valid date and time') as unknown,
      },
    ]);
  });

  it('applies the documented limits (FIELDS.md §4) as invalid_value', () => {
    const cases: [string, string, string, string][] = [
      [
        '<age>34</age>',
        '<age>151</age>',
        '/report/personOrUserReported[0]/personOrUserReportedPerson/age',
        'between 0 and 150',
      ],
      [
        '<port>443</port>',
        '<port>0</port>',
        '/report/personOrUserReported[0]/ipCaptureEvent[1]/port',
        'between 1 and 65535',
      ],
      [
        '<platform>ExampleChat for Android</platform>',
        `<platform>${'p'.repeat(257)}</platform>`,
        '/report/incidentSummary/platform',
        'at most 256',
      ],
      [
        '<espService>ExampleChat Messenger</espService>',
        `<espService>${'s'.repeat(101)}</espService>`,
        '/report/personOrUserReported[0]/espService',
        'at most 100',
      ],
      [
        '<zipCode>00000</zipCode>',
        `<zipCode>${'1'.repeat(21)}</zipCode>`,
        '/report/reporter/reportingPerson/address[0]/zipCode',
        'at most 20',
      ],
      [
        '<idValue>000000000000000</idValue>',
        `<idValue>${'0'.repeat(2084)}</idValue>`,
        '/report/personOrUserReported[0]/deviceId[0]/idValue',
        'at most 2083',
      ],
      [
        '<escalateToHighPriority>Synthetic test text: reported user states an intention to meet the child in person this weekend.</escalateToHighPriority>',
        '<escalateToHighPriority>  </escalateToHighPriority>',
        '/report/incidentSummary/escalateToHighPriority',
        'must not be blank',
      ],
      [
        'countryCallingCode="+1">5555550100',
        `countryCallingCode="+1" extension="12345678901">5555550100`,
        '/report/reporter/reportingPerson/phone[0]/@extension',
        'at most 10 digits',
      ],
    ];
    for (const [from, to, path, message] of cases) {
      expect(problems(edit(ex1, from, to)), to.slice(0, 40)).toEqual([
        { code: 'invalid_value', path, message: expect.stringContaining(message) as unknown },
      ]);
    }
  });

  it('checks file hashes: MD5/SHA1/SHA256 by length and hex, other types kept upper-cased, PDQ from a hash type too', () => {
    const fd = example(EX2, 'fileDetails');
    const rep = example(EX2, 'report');
    expect(
      problems(rep, [edit(fd, '5727647ebca74e1a1092482990cff7f1', '5727647ebca74e1a1092482990cff7f')]),
    ).toEqual([
      {
        code: 'invalid_value',
        path: '/fileDetails[0]/originalFileHash[0]',
        message: '<originalFileHash> of type MD5 must be 32 hexadecimal digits',
      },
    ]);
    expect(
      problems(rep, [
        fd,
        edit(fd, '40c88955f366b33f299aedb5416550cdc1c63027', 'x0c88955f366b33f299aedb5416550cdc1c63027'),
      ])[0]?.path,
    ).toBe('/fileDetails[1]/originalFileHash[1]');
    const spelled = ok(rep, [
      fileDetails(
        '<originalFileHash hashType="sha-256">DC4FC541EB219C9D09FA77949A8B443B835919E673014EEB6595CA41CB5BA1BA</originalFileHash>' +
          '<originalFileHash hashType="Sha-1">40C88955F366B33F299AEDB5416550CDC1C63027</originalFileHash>' +
          '<originalFileHash hashType="photoDNA">AAAA</originalFileHash>' +
          `<originalFileHash hashType="pdq">${'f'.repeat(64)}</originalFileHash>`,
      ),
    ]);
    expect(spelled.files[0]?.hashes).toEqual({
      sha256: 'dc4fc541eb219c9d09fa77949a8b443b835919e673014eeb6595ca41cb5ba1ba',
      sha1: '40c88955f366b33f299aedb5416550cdc1c63027',
      pdq: 'f'.repeat(64),
      other: [
        { type: 'PHOTODNA', value: 'AAAA' },
        { type: 'PDQ', value: 'f'.repeat(64) },
      ],
    });
  });

  it('takes a PDQ hash from HASH details only when it is 64 hex digits', () => {
    const fd = edit(example(EX2, 'fileDetails'), '0'.repeat(64), 'not-a-pdq');
    const doc = ok(example(EX2, 'report'), [fd]);
    expect(doc.files[0]?.hashes.pdq).toBeUndefined();
    expect(doc.files[0]?.details[1]?.pairs).toEqual([{ name: 'PDQ', value: 'not-a-pdq' }]);
  });

  it('refuses an industry classification or potentialMeme on a Supplemental Reported file', () => {
    const fd = example(EX1, 'fileDetails');
    expect(
      problems(example(EX1, 'report'), [
        edit(
          fd,
          '<originalFileHash',
          '<fileAnnotations><potentialMeme/></fileAnnotations><industryClassification>A1</industryClassification><originalFileHash',
        ),
      ]).map((p) => [p.code, p.path]),
    ).toEqual([
      ['invalid_value', '/fileDetails[0]/industryClassification'],
      ['invalid_value', '/fileDetails[0]/fileAnnotations/potentialMeme'],
    ]);
  });

  it('accepts flags written empty, as true or as 1 (xs:boolean value space) and the legacy potentialMeme boolean', () => {
    const doc = ok(
      report(
        '',
        '<reportAnnotations><spam>1</spam><sextortion>true</sextortion><csamSolicitation/></reportAnnotations>',
      ),
      [fileDetails('<potentialMeme>true</potentialMeme>')],
    );
    expect(doc.incident.annotations).toEqual(['spam', 'sextortion', 'csamSolicitation']);
    expect(doc.files[0]?.annotations).toEqual(['potentialMeme']);
    expect(
      problems(report('', '<reportAnnotations><spam>false</spam></reportAnnotations>'))[0],
    ).toMatchObject({
      code: 'invalid_value',
      path: '/report/incidentSummary/reportAnnotations/spam',
    });
  });
});

describe('parseCyberTipline: schema problems, all of them, with exact paths', () => {
  it('collects every problem of the report and of each fileDetails, not only the first', () => {
    const rep = edit(
      edit(
        edit(example(EX1, 'report'), '<eventName>Registration</eventName>', '<eventName>SignUp</eventName>'),
        '<age>13</age>',
        '<age>thirteen</age>',
      ),
      '203.0.113.77',
      '203.0.113',
    );
    const fd = edit(
      example(EX2, 'fileDetails'),
      '<fileViewedByEsp>false</fileViewedByEsp>',
      '<fileViewedByEsp>no</fileViewedByEsp>',
    );
    expect(problems(rep, [example(EX1, 'fileDetails'), fd]).map((p) => [p.code, p.path])).toEqual([
      ['invalid_value', '/report/personOrUserReported[0]/ipCaptureEvent[0]/eventName'],
      ['invalid_value', '/report/victim[0]/victimPerson/age'],
      ['invalid_ip', '/report/victim[0]/ipCaptureEvent[0]/ipAddress'],
      ['invalid_value', '/fileDetails[1]/fileViewedByEsp'],
    ]);
  });

  it('indexes repeated elements by their position in the document, also after an invalid one', () => {
    const rep = edit(
      edit(example(EX1, 'report'), '203.0.113.45', 'nope'),
      '2001:db8:85a3::8a2e:370:7334',
      'nope either',
    );
    expect(problems(rep).map((p) => p.path)).toEqual([
      '/report/personOrUserReported[0]/ipCaptureEvent[0]/ipAddress',
      '/report/personOrUserReported[0]/ipCaptureEvent[1]/ipAddress',
    ]);
    const assoc = edit(
      rep,
      '<screenName>night_owl_placeholder_2</screenName>',
      `<screenName>night_owl_placeholder_2</screenName><displayName/><displayName>${'n'.repeat(300)}</displayName>`,
    );
    expect(problems(assoc).map((p) => p.path)).toEqual([
      '/report/personOrUserReported[0]/ipCaptureEvent[0]/ipAddress',
      '/report/personOrUserReported[0]/ipCaptureEvent[1]/ipAddress',
      '/report/personOrUserReported[0]/associatedAccount[0]/displayName[1]',
    ]);
  });

  it('names missing, surplus, unknown and out-of-order elements', () => {
    const ex1 = example(EX1, 'report');
    const cases: [string, string, string, RegExp][] = [
      [
        '<incidentType>Online Enticement of Children for Sexual Acts</incidentType>',
        '',
        '/report/incidentSummary/incidentType',
        /required element <incidentType> is missing/,
      ],
      [
        '<platform>ExampleChat for Android</platform>',
        '<platform>a</platform><platform>b</platform>',
        '/report/incidentSummary/platform[1]',
        /only one <platform>/,
      ],
      [
        '<chatClient>ExampleChat 7.3.1</chatClient>',
        '<chatClient>x</chatClient><chatColor>red</chatColor>',
        '/report/internetDetails[0]/chatImIncident/chatColor',
        /not an element of <chatImIncident>/,
      ],
      [
        '<espIdentifier>usr_7f3a9c2e10</espIdentifier>\n    <espService>ExampleChat Messenger</espService>',
        '<espService>ExampleChat Messenger</espService><espIdentifier>usr_7f3a9c2e10</espIdentifier>',
        '/report/personOrUserReported[0]/espIdentifier',
        /out of order .* before <espService>/,
      ],
      [
        '<ipAddress>198.51.100.23</ipAddress>',
        '',
        '/report/personOrUserReported[0]/associatedAccount[0]/ipCaptureEvent[0]/ipAddress',
        /required element <ipAddress>/,
      ],
      [
        '<associatedAccount type="Linked">',
        '<associatedAccount>',
        '/report/personOrUserReported[0]/associatedAccount[0]/@type',
        /requires attribute type/,
      ],
      [
        '<associatedAccount type="Linked">',
        '<associatedAccount type="Friend">',
        '/report/personOrUserReported[0]/associatedAccount[0]/@type',
        /must be one of "Billing"/,
      ],
      [
        'countryCallingCode="+39"',
        'countryCallingCode="0039"',
        '/report/personOrUserReported[0]/personOrUserReportedPerson/phone[0]/@countryCallingCode',
        /"\+" and 1 to 3 digits/,
      ],
      [
        '<chatImIncident>',
        '<chatImIncident>text',
        '/report/internetDetails[0]/chatImIncident',
        /only elements, not text/,
      ],
    ];
    for (const [from, to, path, message] of cases) {
      const ps = problems(edit(ex1, from, to));
      expect(ps, to).toHaveLength(1);
      expect(ps[0]?.path, to).toBe(path);
      expect(ps[0]?.message, to).toMatch(message);
      expect(ps[0]?.message, to).toMatch(/\(line \d+\)$/);
    }
  });

  it('requires exactly one incident kind in <internetDetails>', () => {
    expect(problems(report('<internetDetails/>'))[0]).toMatchObject({
      code: 'schema_violation',
      path: '/report/internetDetails[0]',
    });
    expect(
      problems(report('<internetDetails><webPageIncident/><emailIncident/></internetDetails>'))[0],
    ).toMatchObject({
      code: 'schema_violation',
      path: '/report/internetDetails[0]/emailIncident',
    });
  });

  it.each([
    [
      '50,000 attributes',
      report().replace(
        '<report>',
        `<report ${Array.from({ length: 50_000 }, (_, i) => `a${i}="x"`).join(' ')}>`,
      ),
    ],
    [
      '50,000 namespace prefixes',
      report().replace(
        '<report>',
        `<report ${Array.from({ length: 50_000 }, (_, i) => `xmlns:p${i}="http://www.w3.org/2001/XMLSchema-instance"`).join(' ')}>`,
      ),
    ],
    ['100,000 unknown siblings', report('<x/>'.repeat(100_000))],
    [
      '100,000 duplicate flags',
      report('', `<reportAnnotations>${'<spam/>'.repeat(100_000)}</reportAnnotations>`),
    ],
    [
      '100,000 out-of-order siblings',
      report('<internetDetails><webPageIncident/></internetDetails>'.repeat(50_000)).replace(
        '<reporter>',
        '<batchedReport reason="VIRAL_POTENTIAL_MEME"/><reporter>',
      ),
    ],
    ['100,000 nested elements', report(`${'<x>'.repeat(100_000)}${'</x>'.repeat(100_000)}`)],
  ])('refuses %s quickly (no quadratic work, no deep recursion)', (_what, xml) => {
    const started = performance.now();
    const ps = problems(xml);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(ps.length).toBeGreaterThan(0);
    expect(ps.length).toBeLessThanOrEqual(MAX_PROBLEMS + 1);
  });

  it(`stops after ${MAX_PROBLEMS} problems on hostile input`, () => {
    const ps = problems(report('<x/>'.repeat(5000)));
    expect(ps).toHaveLength(MAX_PROBLEMS + 1);
    expect(ps[MAX_PROBLEMS]?.message).toMatch(/further problems not reported/);
  });
});
