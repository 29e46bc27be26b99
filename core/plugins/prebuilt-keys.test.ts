import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { keyHeader, sourceKey } from './bundle.ts';
import { recordedKey, writeRecordedKeys } from './prebuilt-keys.ts';

test('a recorded source key is used only while the folder, checkout and plugin API are unchanged', async () => {
  const root = mkdtempSync(path.join(tmpdir(), 'aion-keys-'));
  try {
    const plugin = path.join(root, 'p');
    mkdirSync(path.join(plugin, 'lib'), { recursive: true });
    writeFileSync(path.join(plugin, 'index.ts'), 'export default 1;\n');
    writeFileSync(path.join(plugin, 'lib', 'a.ts'), 'export const a = 1;\n');
    const header = keyHeader(['definePlugin']);
    const key = await sourceKey(plugin, ['definePlugin']);
    // Each case writes its own record directory: records are read once per process.
    const record = async (name: string) => {
      const dir = path.join(root, name);
      mkdirSync(dir);
      await writeRecordedKeys(dir, header, [{ name: 'p', pluginDir: plugin, key }]);
      return dir;
    };

    const fresh = await record('fresh');
    assert.equal(await recordedKey([fresh], 'p', plugin, header), key, 'unchanged folder: the recorded key');
    assert.equal(await recordedKey([fresh], 'p', plugin, keyHeader(['definePlugin', 'z'])), undefined, 'another plugin API');
    assert.equal(await recordedKey([fresh], 'other', plugin, header), undefined, 'a plugin the build did not record');
    assert.equal(await recordedKey([path.join(root, 'none')], 'p', plugin, header), undefined, 'no record');

    // Same size, new content and time: the fingerprint differs, so the sources are hashed again.
    const edited = await record('edited');
    writeFileSync(path.join(plugin, 'lib', 'a.ts'), 'export const a = 2;\n');
    utimesSync(path.join(plugin, 'lib', 'a.ts'), new Date(), new Date(Date.now() + 5_000));
    assert.equal(await recordedKey([edited], 'p', plugin, header), undefined, 'an edited file');

    const added = await record('added');
    writeFileSync(path.join(plugin, 'lib', 'b.ts'), 'export const b = 1;\n');
    assert.equal(await recordedKey([added], 'p', plugin, header), undefined, 'an added file');
    rmSync(path.join(plugin, 'lib', 'b.ts'));
    assert.equal(await recordedKey([added], 'p', plugin, header), key, 'back as recorded');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
