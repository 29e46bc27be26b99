/**
 * One user's vault: each service's content encrypted with AES-256-GCM (random 12-byte IV, 16-byte tag). The user id
 * and the service are the additional authenticated data, so a record copied into another user's file, or renamed to
 * another service, does not decrypt.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { AppError, badRequest, notFound, type PluginContext } from '../../core/plugin-api/index.ts';

interface Sealed { id: string; service: string; iv: string; tag: string; data: string; createdAt: number; updatedAt: number }

export const MAX_CONTENT = 64 * 1024;

/** "Server SSH" → "server_ssh" (the original's file naming). */
export function serviceId(service: string): string {
  const id = service.trim().toLowerCase().replace(/[^a-z0-9._-]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 64);
  if (!id) throw badRequest('No service name given', undefined, 'INVALID_SERVICE');
  return id;
}

export class Vault {
  constructor(private readonly ctx: PluginContext, private readonly key: Buffer, private readonly userId: string) {}

  private get coll() {
    return this.ctx.store.forUser(this.userId).collection<Sealed>('credentials');
  }

  private aad(id: string) {
    return Buffer.from(`${this.userId}\u0000${id}`);
  }

  async write(service: string, content: string) {
    const id = serviceId(service);
    if (!content.trim()) throw badRequest('No content given', undefined, 'INVALID_CONTENT');
    if (Buffer.byteLength(content) > MAX_CONTENT) throw badRequest(`Content over ${MAX_CONTENT} bytes`, undefined, 'INVALID_CONTENT');
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(this.aad(id));
    const data = Buffer.concat([cipher.update(content, 'utf8'), cipher.final()]);
    const now = Date.now();
    const prev = await this.coll.get(id);
    await this.coll.put({ id, service: id, iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64'), createdAt: prev?.createdAt ?? now, updatedAt: now });
    return { ok: true, service: id };
  }

  async read(service: string) {
    const id = serviceId(service);
    const sealed = await this.coll.get(id);
    if (!sealed) {
      const available = (await this.coll.all()).map((s) => s.id);
      throw notFound(`No credentials for '${id}'${available.length ? `; stored: ${available.join(', ')}` : ' (the vault is empty)'}`, 'CREDENTIAL_NOT_FOUND');
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(sealed.iv, 'base64'));
      decipher.setAAD(this.aad(id));
      decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
      const content = Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]).toString('utf8');
      return { ok: true, service: id, content };
    } catch {
      throw new AppError(500, 'CREDENTIAL_UNREADABLE', `The credentials for '${id}' cannot be decrypted (wrong key or altered data)`);
    }
  }

  async list() {
    const services = (await this.coll.all()).map((s) => ({ service: s.id, updated_at: new Date(s.updatedAt).toISOString() }));
    return { ok: true, count: services.length, services: services.map((s) => s.service), details: services };
  }

  async delete(service: string) {
    const id = serviceId(service);
    if (!(await this.coll.delete(id))) throw notFound(`No credentials for '${id}'`, 'CREDENTIAL_NOT_FOUND');
    return { ok: true, deleted: id };
  }
}
