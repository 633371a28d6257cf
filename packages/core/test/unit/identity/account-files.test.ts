import { describe, expect, it } from 'vitest';
import { accountChanges, type WantedIdentity } from '../../../src/backends/docker/identity/account-files.js';
import { wantedIdentity } from '../../../src/backends/docker/identity/wanted-identity.js';

const DEBIAN_PASSWD = 'root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n';
const DEBIAN_GROUP = 'root:x:0:\nstaff:x:50:\nnogroup:x:65534:\n';
const wanted: WantedIdentity = { uid: 1000, gid: 1000, groups: [], names: ['ana', 'tooldock', 'tooldock1000'], home: '/tmp' };
const files = { passwd: DEBIAN_PASSWD, group: DEBIAN_GROUP };

describe('accountChanges: the lines a mapped uid:gid lacks', () => {
  it('appends a user and its user-private group, keeping every existing byte', () => {
    const changes = accountChanges(files, wanted);
    expect(changes).toEqual({
      name: 'ana',
      passwd: `${DEBIAN_PASSWD}ana:x:1000:1000:tooldock tool user:/tmp:/bin/sh\n`,
      group: `${DEBIAN_GROUP}ana:x:1000:\n`,
    });
  });

  it('changes nothing when the image names the uid and its groups', () => {
    expect(accountChanges(files, { ...wanted, uid: 65534, gid: 65534 })).toEqual({});
    expect(accountChanges(files, { ...wanted, uid: 65534, gid: 50 })).toEqual({});
  });

  it('adds only the group when the uid is known but its gid is not', () => {
    expect(accountChanges(files, { ...wanted, uid: 65534, gid: 4242 })).toEqual({ group: `${DEBIAN_GROUP}tooldock4242:x:4242:\n` });
  });

  it('names supplementary groups the image lacks, and leaves those it has', () => {
    const { group } = accountChanges(files, { ...wanted, groups: [50, 2000] });
    expect(group).toBe(`${DEBIAN_GROUP}ana:x:1000:\ntooldock2000:x:2000:\n`);
  });

  it('gives a uid-only user (no gid) group 0, as the daemon would, and adds no group', () => {
    expect(accountChanges(files, { ...wanted, gid: undefined })).toEqual({
      name: 'ana',
      passwd: `${DEBIAN_PASSWD}ana:x:1000:0:tooldock tool user:/tmp:/bin/sh\n`,
    });
  });

  it('never reuses a name the image has, as an account, a group or a group member (it would join that group)', () => {
    const group = `${DEBIAN_GROUP}wheel:x:10:tooldock\n`;
    const changes = accountChanges({ passwd: `${DEBIAN_PASSWD}ana:x:1001:1001::/home/ana:/bin/sh\n`, group }, wanted);
    expect(changes.name).toBe('tooldock1000');
    expect(accountChanges({ passwd: DEBIAN_PASSWD, group: 'root:x:0:\nana:x:7:\n' }, wanted).name).toBe('tooldock');
    expect(accountChanges({ passwd: 'ana:x:1:1::/:/bin/sh\ntooldock:x:2:2::/:/bin/sh\ntooldock1000:x:3:3::/:/bin/sh\n', group: '' }, wanted)).toEqual(
      {},
    );
  });

  it('skips unsafe candidate names (":" or newlines would forge lines)', () => {
    const changes = accountChanges(files, { ...wanted, names: ['evil:x:0:0', 'a\nroot', 'Upper', '-dash', 'tooldock'] });
    expect(changes.name).toBe('tooldock');
  });

  it('reads hostile or odd files without failing: no final newline, junk, NIS lines, CRLF, empty', () => {
    const odd = 'root:x:0:0::/root:/bin/sh\n\n:::\nonlyname\n+::::::\n#tooldock:x:5:5\nweird:x:1000x:1::/:/bin/sh';
    const changes = accountChanges({ passwd: odd, group: 'root:x:0:\r\n' }, wanted);
    expect(changes.passwd).toBe(`${odd}\nana:x:1000:1000:tooldock tool user:/tmp:/bin/sh\n`);
    expect(changes.group).toBe('root:x:0:\r\nana:x:1000:\n');
    expect(accountChanges({ passwd: '', group: '' }, wanted)).toMatchObject({
      passwd: 'ana:x:1000:1000:tooldock tool user:/tmp:/bin/sh\n',
      group: 'ana:x:1000:\n',
    });
  });

  it("falls back to HOME=/ when the run's HOME would corrupt the line", () => {
    for (const home of ['/a:b', '/a\nroot::0:0', 'relative']) {
      expect(accountChanges(files, { ...wanted, home }).passwd).toMatch(/ana:x:1000:1000:tooldock tool user:\/:\/bin\/sh\n$/);
    }
  });
});

describe('wantedIdentity', () => {
  it("wants nothing for the image's own user and for root", () => {
    expect(wantedIdentity({ user: undefined, groups: [], home: undefined }, undefined)).toBeUndefined();
    expect(wantedIdentity({ user: '0:0', groups: [], home: '/tmp' }, undefined)).toBeUndefined();
    expect(wantedIdentity({ user: '0', groups: [], home: '/tmp' }, undefined)).toBeUndefined();
  });

  it("takes the ids, groups and the run's HOME (its env wins), and names the caller only when it is the caller", () => {
    const me = process.getuid!();
    const other = me === 4321 ? 4322 : 4321;
    expect(wantedIdentity({ user: `${other}:7`, groups: ['20', '30'], home: '/tmp' }, { HOME: '/work' })).toEqual({
      uid: other,
      gid: 7,
      groups: [20, 30],
      names: ['tooldock', `tooldock${other}`],
      home: '/work',
    });
    expect(wantedIdentity({ user: `${other}`, groups: [], home: '/tmp' }, undefined)).toMatchObject({ gid: undefined, home: '/tmp' });
  });
});
