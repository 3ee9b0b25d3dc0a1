import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../functions/core/github-issues/sha256.js';
import {
  hashToken,
  isSecretName,
  redactAnnotations,
  redactArgs,
  redactContainer,
  redactDaemonSet,
  redactImage,
  redactText,
  redactValue,
} from '../../functions/core/redact.js';

// Like a hash token, a marked value is never marked again.
const token = (v: string) => (/^<[^<>]*>$/.test(v) ? v : `<${v.replace(/ /g, '·')}>`);
const full = hashToken(sha256Hex);
const short = hashToken(sha256Hex, 16);

describe('isSecretName()', () => {
  it.each([
    'DB_PASSWORD',
    '--db-password',
    'api-key',
    'apiKey',
    'X-Api-Key',
    'TOKEN',
    'GITHUB_TOKEN',
    'aws_secret_access_key',
    'client_secret',
    'REDIS_PASS',
    'SSH_KEY',
    'auth',
    'Cookie',
    'Authorization',
    'sessionId',
    'credentials',
  ])('says %s is secret', (name) => {
    expect(isSecretName(name)).toBe(true);
  });

  it.each([
    '--password-file',
    'TOKEN_PATH',
    'secret-name',
    '--token-ttl',
    '--auth-mode',
    'authorization-mode',
    'v',
    'log-level',
    'PASSTHROUGH',
    'bypass',
    'keyboard',
    'keys',
    'monkey',
    'author',
    'HOME',
    'PATH',
  ])('says %s is not secret', (name) => {
    expect(isSecretName(name)).toBe(false);
  });
});

describe('redactText()', () => {
  it.each<[string, string, string]>([
    ['URL userinfo', '--db-url postgres://admin:hunter2@db:5432/app', '--db-url postgres://<admin:hunter2>@db:5432/app'],
    ['a token as URL user', 'git clone https://ghp_abc123@github.com/acme/x', 'git clone https://<ghp_abc123>@github.com/acme/x'],
    ['a password with @ in it', 'redis://u:p@ss@cache:6379', 'redis://<u:p@ss>@cache:6379'],
    ['export NAME=value in a shell string', 'export TOKEN=s3cr3t; exec /agent', 'export TOKEN=<s3cr3t>; exec /agent'],
    ['NAME="quoted value"', 'DB_PASSWORD="a b c" ./run', 'DB_PASSWORD=<a·b·c> ./run'],
    ['a query parameter', 'curl -s http://svc/health?token=abc123&x=1', 'curl -s http://svc/health?token=<abc123>&x=1'],
    ['--flag=value', 'run --api-key=k3y --port=80', 'run --api-key=<k3y> --port=80'],
    ['--flag value', 'run --token t0ken --v 2', 'run --token <t0ken> --v 2'],
    ['-p value (mysql)', 'mysqladmin ping -u root -p pw123', 'mysqladmin ping -u root -p <pw123>'],
    ['-pVALUE attached', 'mysql -uroot -pS3cretPw -e "select 1"', 'mysql -uroot -p<S3cretPw> -e "select 1"'],
    ['curl -u user:password', "curl -u admin:pw 'http://x'", "curl -u <admin:pw> 'http://x'"],
    ['an Authorization header', 'curl -H "Authorization: Bearer abc.def.ghi" http://x', 'curl -H "Authorization: <Bearer·abc.def.ghi>" http://x'],
    ['a bare bearer token', 'sent Bearer eyJhbGciOi to the API', 'sent Bearer <eyJhbGciOi> to the API'],
    ['a secret YAML field', 'config error: password: hunter2, user: bob', 'config error: password: <hunter2>, user: bob'],
    ['a secret JSON field', '{"apiKey":"k-123","region":"eu"}', '{"apiKey":<k-123>,"region":"eu"}'],
  ])('hashes %s', (_case, input, expected) => {
    expect(redactText(input, token)).toBe(expected);
  });

  it.each<[string, string]>([
    ['a port after -p', 'redis-cli -h localhost -p 6379 ping'],
    ['a port mapping after -p', 'socat -p 8080:80'],
    ['a verbosity flag', 'agent -v 2 --log-level=debug'],
    ['a variable reference', 'export TOKEN=$(cat /run/token); --password $(DB_PASSWORD)'],
    ['a file flag', '--password-file=/etc/secret/pw --token-path /var/run/token'],
    ['mkdir -p', 'mkdir -p /var/log/agent'],
    ['an image digest', 'nginx:1.27@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef'],
    ['a URL without userinfo', 'https://example.com/a@b'],
    ['an unrelated assignment', 'LOG_LEVEL=debug GOMAXPROCS=2 ./agent'],
  ])('leaves %s alone', (_case, input) => {
    expect(redactText(input, token)).toBe(input);
  });

  it('is idempotent with hash tokens: a redacted text redacted again is unchanged', () => {
    const input = 'export TOKEN=x1; curl -H "Authorization: Bearer abcdefghij" -u a:b https://u:p@h/x?api_key=k --password=pw -p secret1 -pAttached1';

    const once = redactText(input, full);

    expect(redactText(once, full)).toBe(once);
    expect(once).not.toMatch(/x1|abcdefghij|a:b|u:p|=k\b|=pw|secret1|Attached1/);
  });

  it('gives the same prefix from a raw text and from its fully hashed form (Git against a live snapshot)', () => {
    const input = 'export TOKEN=x1; exec agent --db-url postgres://admin:pw@db';

    expect(redactText(redactText(input, full), short)).toBe(redactText(input, short));
  });
});

describe('redactArgs()', () => {
  it.each<[string, unknown[], unknown[]]>([
    ['a flag followed by its value', ['--token', 'abc', '--verbose'], ['--token', '<abc>', '--verbose']],
    ['-p followed by a password', ['mysqladmin', 'ping', '-p', 'hunter2'], ['mysqladmin', 'ping', '-p', '<hunter2>']],
    ['-p attached', ['mysql', '-pHunter2x'], ['mysql', '-p<Hunter2x>']],
    ['a header after -H', ['curl', '-H', 'X-Probe: abc'], ['curl', '-H', 'X-Probe: <abc>']],
    ['a shell string', ['sh', '-c', 'export TOKEN=t; exec x'], ['sh', '-c', 'export TOKEN=<t>; exec x']],
    ['--flag=value', ['--db-password=hunter2', '--port=5432'], ['--db-password=<hunter2>', '--port=5432']],
    ['case-insensitively', ['--AWS-SECRET-ACCESS-KEY=s'], ['--AWS-SECRET-ACCESS-KEY=<s>']],
  ])('redacts %s', (_case, args, expected) => {
    expect(redactArgs(args, token)).toEqual(expected);
  });

  it.each<[string, unknown[]]>([
    ['a port after -p', ['-p', '8080']],
    ['-v 2', ['-v', '2']],
    ['a secret flag followed by another flag', ['--token', '--verbose']],
    ['non-strings', [1, null, true]],
    ['harmless flags and plain words', ['--log-level=debug', 'password']],
  ])('leaves %s alone', (_case, args) => {
    expect(redactArgs(args, token)).toEqual(args);
  });

  it('does not change its input', () => {
    const args = ['--password=x'];

    redactArgs(args, token);

    expect(args).toEqual(['--password=x']);
  });
});

describe('redactImage()', () => {
  it.each<[string, string]>([
    ['user:pw@registry.example.com/app:1.0', '<user:pw>@registry.example.com/app:1.0'],
    ['robot@registry.example.com:5000/team/app@sha256:abc', '<robot>@registry.example.com:5000/team/app@sha256:abc'],
    ['user:p@ss@registry.example.com/app:1.0', '<user:p@ss>@registry.example.com/app:1.0'],
    ['user:p@ss@registry.example.com/app@sha256:abc', '<user:p@ss>@registry.example.com/app@sha256:abc'],
    ['user:pa/ss@registry.example.com/app:1.0', '<user:pa/ss>@registry.example.com/app:1.0'],
    ['user:pw@nginx:1.27', '<user:pw>@nginx:1.27'],
    ['docker-pullable://user:p@ss@registry.example.com/app@sha256:abc', 'docker-pullable://<user:p@ss>@registry.example.com/app@sha256:abc'],
  ])('hashes the credentials of %s', (image, expected) => {
    expect(redactImage(image, token)).toBe(expected);
  });

  it.each([
    'nginx:1.27',
    'nginx@sha256:0123',
    'registry.k8s.io/kube-proxy:v1.31.0@sha256:0123',
    'localhost:5000/app',
    'docker-pullable://registry.example.com/app@sha256:abc',
  ])('leaves %s alone', (image) => {
    expect(redactImage(image, token)).toBe(image);
  });
});

describe('redactContainer()', () => {
  it('hashes env values, probe headers, probe commands, lifecycle commands and image credentials', () => {
    const c = {
      name: 'app',
      image: 'u:pw@reg.example.com/app:1',
      env: [
        { name: 'A', value: 'v' },
        { name: 'B', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } },
      ],
      livenessProbe: { httpGet: { path: '/health?token=t1', port: 8080, httpHeaders: [{ name: 'Authorization', value: 'Bearer t2' }] }, periodSeconds: 5 },
      readinessProbe: { exec: { command: ['sh', '-c', 'redis-cli -a $(REDIS_PASSWORD) ping --pass t3'] } },
      lifecycle: {
        preStop: { exec: { command: ['/bin/sh', '-c', 'curl -X POST http://x/drain'] } },
        postStart: { httpGet: { path: '/', port: 80, httpHeaders: [{ name: 'Cookie', value: 'sid=t4' }] } },
      },
      resources: { limits: { cpu: '1' } },
    };

    const out = redactContainer(c, token);

    expect(out).toEqual({
      name: 'app',
      image: '<u:pw>@reg.example.com/app:1',
      env: [
        { name: 'A', valueSha256: '<v>' },
        { name: 'B', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } },
      ],
      livenessProbe: { httpGet: { path: '/health?token=<t1>', port: 8080, httpHeaders: [{ name: 'Authorization', value: '<Bearer·t2>' }] }, periodSeconds: 5 },
      readinessProbe: { exec: { command: ['sh', '-c', 'redis-cli -a $(REDIS_PASSWORD) ping --pass <t3>'] } },
      lifecycle: {
        preStop: { exec: { command: ['</bin/sh>', '<-c>', '<curl·-X·POST·http://x/drain>'] } },
        postStart: { httpGet: { path: '/', port: 80, httpHeaders: [{ name: 'Cookie', value: '<sid=t4>' }] } },
      },
      resources: { limits: { cpu: '1' } },
    });
  });
});

describe('redactAnnotations()', () => {
  it('keeps what a check reads, drops last-applied and restartedAt, and hashes the rest', () => {
    const a = {
      'deprecated.daemonset.template.generation': '3',
      'kubectl.kubernetes.io/last-applied-configuration': '{}',
      'kubectl.kubernetes.io/restartedAt': 'now',
      'team/notes': 'db pw is x',
    };

    expect(redactAnnotations(a, token)).toEqual({ 'deprecated.daemonset.template.generation': '3', 'team/notes': '<db·pw·is·x>' });
  });
});

describe('redactDaemonSet()', () => {
  it('keeps labels, selector and scheduling fields, and redacts the template', () => {
    const ds = {
      metadata: { name: 'a', labels: { app: 'a' }, annotations: { note: 'n' } },
      spec: {
        selector: { matchLabels: { app: 'a' } },
        template: {
          metadata: { labels: { app: 'a' }, annotations: { 'checksum/config': 'abc' } },
          spec: { nodeSelector: { pool: 'gpu' }, containers: [{ name: 'c', args: ['--token', 'x'] }] },
        },
      },
    };

    expect(redactDaemonSet(ds, token)).toEqual({
      metadata: { name: 'a', labels: { app: 'a' }, annotations: { note: '<n>' } },
      spec: {
        selector: { matchLabels: { app: 'a' } },
        template: {
          metadata: { labels: { app: 'a' }, annotations: { 'checksum/config': '<abc>' } },
          spec: { nodeSelector: { pool: 'gpu' }, containers: [{ name: 'c', args: ['--token', '<x>'] }] },
        },
      },
    });
  });
});

describe('redactValue()', () => {
  it('redacts every string inside arrays and objects and keeps other values', () => {
    expect(redactValue({ a: ['--token=x', 3], b: { c: 'https://u:p@h' }, d: null }, token)).toEqual({
      a: ['--token=<x>', 3],
      b: { c: 'https://<u:p>@h' },
      d: null,
    });
  });
});
