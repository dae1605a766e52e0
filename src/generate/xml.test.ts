import { readFile } from 'node:fs/promises';

import { describe, expect, it } from 'vitest';
import { memoryPages, validateXML } from 'xmllint-wasm';

import type { CountryCode, Instant, Md5Hex, Sha1Hex } from '../domain/ids.ts';
import type { MediaFile, ReferralDocument } from '../domain/referral.ts';
import { parseCyberTipline } from '../intake/formats/cybertipline.ts';
import { scenario } from './scenario.ts';
import type { GeneratedReport } from './truth.ts';
import { escapeXml, fileDetailsXml, reportXml } from './xml.ts';

/** NCMEC's schema lives beside the repository (../shared), not inside it. */
const XSD_URL = new URL('../../../shared/reference/cybertipline/cyber_tipline.xsd', import.meta.url);

async function validate(docs: readonly { name: string; xml: string }[]): Promise<readonly string[]> {
  const schema = await readFile(XSD_URL, 'utf8');
  const result = await validateXML({
    xml: docs.map((d) => ({ fileName: d.name, contents: d.xml })),
    schema: [schema],
    maxMemoryPages: memoryPages.GiB,
  });
  return result.valid ? [] : result.errors.map((e) => e.rawMessage);
}

function reports(count: number, seed: string): GeneratedReport[] {
  return [...scenario({ reports: count, seed })].filter((e): e is GeneratedReport => e.kind === 'report');
}

const at = '2025-03-04T05:06:07.000Z' as Instant;

/** Every branch of the writer, including those the generator never takes. */
const kitchenSink: ReferralDocument = {
  incident: {
    type: 'Online Enticement of Children for Sexual Acts',
    occurredAt: at,
    occurredAtDescription: 'desc & <more>',
    platform: 'Example "quoted" platform',
    escalation: "[synthetic placeholder] it's urgent",
    annotations: [
      'sextortion',
      'csamSolicitation',
      'minorToMinorInteraction',
      'spam',
      'sadisticOnlineExploitation',
    ],
    batchedReason: 'VIRAL_POTENTIAL_MEME',
  },
  internet: [
    {
      kind: 'webPage',
      urls: ['https://a.example.com/?x=1&y=2'],
      thirdPartyHostedContent: true,
      additionalInfo: 'i',
    },
    {
      kind: 'email',
      emails: [{ address: 'a@example.com', type: 'Work', verified: true, verifiedAt: at }],
      content: 'c',
    },
    {
      kind: 'newsgroup',
      name: 'alt.example',
      emails: [{ address: 'b@example.org' }],
      content: 'c',
      additionalInfo: 'i',
    },
    { kind: 'chatIm', client: 'ExampleChat', name: 'room', content: 'c', additionalInfo: 'i' },
    { kind: 'onlineGaming', name: 'Example Arena', client: 'PC', content: 'c', additionalInfo: 'i' },
    {
      kind: 'cellPhone',
      phone: { number: '07700 900123', countryCallingCode: '+44', extension: '12', type: 'Mobile' },
      latitude: 51.5,
      longitude: -0.12,
      additionalInfo: 'i',
    },
    {
      kind: 'nonInternet',
      name: 'a place',
      addresses: [
        {
          type: 'Home',
          street: '1 Example Road',
          city: 'Springfield',
          zipCode: '00000',
          state: 'CA',
          country: 'US',
        },
      ],
      additionalInfo: 'i',
    },
    {
      kind: 'peer2peer',
      client: 'ExampleP2P',
      ipEvents: [{ address: '198.51.100.7', event: 'Other', at, possibleProxy: false, port: 6881 }],
      fileNames: 'a.bin, b.bin',
      additionalInfo: 'i',
    },
  ],
  lawEnforcement: {
    agencyName: 'Placeholder Police Agency (synthetic)',
    caseNumber: 'PPA-1',
    officer: {
      firstName: 'O',
      lastName: 'P',
      phones: [],
      emails: [{ address: 'o@police.example.org' }],
      addresses: [],
    },
    reportedToLe: true,
    servedLegalProcessDomestic: false,
    servedLegalProcessInternational: true,
    servedLegalProcessCountry: 'IT' as CountryCode,
  },
  reporter: {
    person: {
      firstName: 'A',
      lastName: 'B',
      phones: [],
      emails: [{ address: 'r@example.com' }],
      addresses: [],
      age: 40,
      dateOfBirth: '1985-01-02',
    },
    contact: { phones: [], emails: [{ address: 'c@example.com' }], addresses: [] },
    companyTemplate: 't',
    termsOfService: 'tos',
    legalUrl: 'https://example.com/legal',
  },
  reportedPersons: [
    {
      person: {
        phones: [{ number: '06 0000 0101', countryCallingCode: '+39' }],
        emails: [],
        addresses: [],
        age: 30,
      },
      vehicleDescription: 'v',
      espIdentifier: 'usr_1',
      espService: 'ExampleChat',
      compromised: false,
      screenName: 'n&ght <owl> "x" \'y\'',
      displayNames: ['D1', 'D2'],
      profileUrls: ['https://chat.example.com/u/1'],
      profileBio: 'bio',
      ipEvents: [{ address: '2001:db8::1', event: 'Login', at, port: 443 }],
      devices: [{ idType: 'IMEI', idValue: '000000000000000', event: 'Login', at }],
      thirdParty: false,
      priorReports: ['100000001'],
      groupIdentifier: 'grp_1',
      temporarilyDisabled: true,
      permanentlyDisabled: false,
      estimatedLocation: {
        city: 'Roma',
        region: 'Lazio',
        countryCode: 'IT' as CountryCode,
        verified: false,
        at,
      },
      associatedAccounts: [
        {
          type: 'Parent/Guardian',
          platform: 'ExampleChat Web',
          person: {
            firstName: 'F',
            lastName: 'L',
            phones: [{ number: '1' }],
            emails: [{ address: 'x@example.net' }],
            addresses: [],
            age: 40,
          },
          espService: 'ExampleChat',
          espIdentifier: 'usr_2',
          screenName: 's',
          displayNames: ['d'],
          profileUrls: ['https://chat.example.com/u/2'],
          profileBio: 'b',
          groupIdentifier: 'g',
          compromised: true,
          temporarilyDisabled: false,
          permanentlyDisabled: true,
          ipEvents: [{ address: '203.0.113.9', port: 1 }],
          devices: [{ idType: 'IDFV', idValue: 'X' }],
          priorReports: ['100000002'],
          additionalInfo: 'i',
          associatedAccounts: [],
        },
      ],
      additionalInfo: 'i',
    },
  ],
  intendedRecipients: [
    {
      person: { phones: [], emails: [{ address: 'r2@example.com' }], addresses: [] },
      espIdentifier: 'usr_3',
      espService: 'ExampleChat',
      compromised: false,
      screenName: 'r',
      displayNames: [],
      profileUrls: [],
      ipEvents: [],
      devices: [],
      priorReports: ['100000003'],
      groupIdentifier: 'grp_1',
      temporarilyDisabled: false,
      estimatedLocation: { countryCode: 'DE' as CountryCode },
      associatedAccounts: [],
      additionalInfo: 'i',
    },
  ],
  victims: [
    {
      age: 13,
      espIdentifier: 'usr_4',
      espService: 'ExampleChat',
      screenName: 'v',
      ipEvents: [{ address: '192.0.2.1' }],
      additionalInfo: 'i',
    },
    { ipEvents: [] },
  ],
  files: [],
  additionalInfo: 'report <note> & more',
};

const fullFile: MediaFile = {
  fileId: 'f'.repeat(32),
  fileName: 'a&b.jpg',
  originalFileName: 'o.jpg',
  uploadedAt: at,
  location: 'https://example.com/f?a=1&b=2',
  viewedByEsp: true,
  exifViewedByEsp: false,
  publiclyAvailable: true,
  relevance: 'Reported',
  annotations: ['potentialMeme', 'viral', 'generativeAi'],
  industryClassification: 'B2',
  hashes: {
    md5: '0'.repeat(32) as Md5Hex,
    sha1: '1'.repeat(40) as Sha1Hex,
    other: [{ type: 'OTHER', value: 'x' }],
  },
  ipEvent: { address: '198.51.100.1', event: 'Upload', at, port: 5000 },
  devices: [{ idType: 'Android ID', idValue: 'abc' }],
  details: [
    { type: 'EXIF', pairs: [{ name: 'Make', value: 'ExampleCam' }] },
    { pairs: [{ name: 'k', value: 'v' }] },
  ],
  additionalInfo: ['one', 'two'],
};

describe('CyberTipline XML writer', () => {
  it('writes every report and fileDetails of a scenario valid against NCMEC’s XSD', async () => {
    const docs = reports(200, 'xsd').flatMap((r) => [
      { name: `${r.stem}.report.xml`, xml: reportXml(r.doc) },
      ...r.doc.files.map((f, i) => ({
        name: `${r.stem}.${i + 1}.fileDetails.xml`,
        xml: fileDetailsXml(r.reportId, f),
      })),
    ]);
    expect(docs.length).toBeGreaterThan(400);
    expect(await validate(docs)).toEqual([]);
  });

  it('writes every element the writer knows in XSD order, with special characters escaped', async () => {
    const report = reportXml(kitchenSink);
    const file = fileDetailsXml(123, fullFile);
    expect(
      await validate([
        { name: 'sink.report.xml', xml: report },
        { name: 'sink.fileDetails.xml', xml: file },
      ]),
    ).toEqual([]);
    expect(report).toContain('<screenName>n&amp;ght &lt;owl&gt; &quot;x&quot; &apos;y&apos;</screenName>');
    expect(report).toContain(
      '<servedLegalProcessInternational fleaCountry="IT">true</servedLegalProcessInternational>',
    );
    expect(report).toContain('<priorCTReport>100000002</priorCTReport>');
    expect(file).toContain('<locationOfFile>https://example.com/f?a=1&amp;b=2</locationOfFile>');
  });

  it('starts with the UTF-8 declaration and never emits a DOCTYPE', () => {
    for (const r of reports(30, 'header')) {
      for (const xml of [reportXml(r.doc), ...r.doc.files.map((f) => fileDetailsXml(r.reportId, f))]) {
        expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<')).toBe(true);
        expect(xml).not.toMatch(/<!DOCTYPE/i);
      }
    }
  });

  it('escapes the five special characters and refuses characters XML cannot carry', () => {
    expect(escapeXml(`a&b<c>d"e'f`)).toBe('a&amp;b&lt;c&gt;d&quot;e&apos;f');
    expect(escapeXml('plain ｆｕｌｌ dаrk')).toBe('plain ｆｕｌｌ dаrk');
    expect(() => escapeXml('bell\u0007')).toThrow(/not allowed/);
    expect(() => fileDetailsXml(1, { ...fullFile, fileId: undefined })).toThrow(/fileId/);
  });

  it('reads back through Conduit’s CyberTipline parser as the very document it was written from', () => {
    for (const r of reports(300, 'round-trip')) {
      const parsed = parseCyberTipline({
        report: reportXml(r.doc),
        fileDetails: r.doc.files.map((f) => fileDetailsXml(r.reportId, f)),
        now: new Date(),
      });
      expect(parsed.ok, r.stem).toBe(true);
      if (!parsed.ok) continue;
      const { sourceRef: _ignored, ...written } = r.doc;
      expect(JSON.parse(JSON.stringify(parsed.value)), r.stem).toEqual(JSON.parse(JSON.stringify(written)));
    }
  });
});
