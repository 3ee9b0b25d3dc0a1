import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // s3rver's ListObjectsV2 continuation tokens use DES, which OpenSSL 3 only offers in its legacy provider.
    execArgv: ['--openssl-legacy-provider'],
    allowOnly: false,
  },
});
