import { z } from 'zod';

/** The `server:` section: where `syncline serve` listens and how. */
export const serverSchema = z.strictObject({
  /** Interface to bind. Default `127.0.0.1` (this machine only); `0.0.0.0` for every interface. */
  host: z.string().min(1).optional(),
  /** TCP port. Default 8080. */
  port: z.number().int().min(0).max(65_535).optional(),
  /** HTTPS with these PEM files (paths, relative to the working directory). */
  tls: z.strictObject({ cert: z.string().min(1), key: z.string().min(1) }).optional(),
  /** `token` (default): `GET /metrics` needs a token like the API; `public`: it needs none. */
  metrics: z.enum(['token', 'public']).optional(),
  /** Largest request body, bytes. Default 1,048,576 (1 MiB). */
  bodyLimit: z.number().int().min(1_024).max(104_857_600).optional(),
});

/** A validated `server:` section. */
export type ServerConfig = z.infer<typeof serverSchema>;
