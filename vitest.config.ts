import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // s3rver's ListObjectsV2 continuation tokens use DES, which OpenSSL 3 only offers in its legacy provider.
    execArgv: ['--openssl-legacy-provider'],
    allowOnly: false,
    // The AWS SDK's notice that its 2027 releases need Node 22 would print once per test file (the CLI silences it too).
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
