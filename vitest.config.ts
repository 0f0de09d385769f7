import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.int.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // Integration files each create their own databases; two cores, so keep the fan-out small.
          maxWorkers: 2,
          minWorkers: 1,
        },
      },
    ],
  },
});
