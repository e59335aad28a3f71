// The example page: pick an audio file, get its .sln and its ringtones.xml <tone> entry.
import { convert, init, manifests, toneName } from '../index.js';

const $ = (id) => document.getElementById(id);
const status = $('status');

async function onFile(file) {
  const result = $('result');
  result.hidden = true;
  delete result.dataset.md5;
  status.className = '';
  status.textContent = `Converting ${file.name}…`;
  try {
    // The id and name the command line would give the file.
    const { id, display } = toneName(file.name);
    const data = new Uint8Array(await file.arrayBuffer());
    const tone = convert(data, { hint: file.name.split('.').pop() });
    const files = manifests([{ id, display, tone }], { url_prefix: $('url').value, builtin_tones: false });
    const entry = files['ringtones.xml'].split('\n').find((l) => l.includes(`id="${id}"`)) ?? '';

    const link = $('download');
    if (link.href.startsWith('blob:')) URL.revokeObjectURL(link.href);
    link.href = URL.createObjectURL(new Blob([tone.sln], { type: 'application/octet-stream' }));
    link.download = `${id}.sln`;
    link.textContent = `Download ${id}.sln`;
    $('summary').textContent =
      `${tone.report.duration_seconds.toFixed(2)} s, ${tone.sln.length} bytes, md5 ${tone.md5}`;
    const list = $('warnings');
    list.replaceChildren(
      ...tone.report.warnings_text.map((text) => {
        const li = document.createElement('li');
        li.className = 'warning';
        li.textContent = text;
        return li;
      }),
    );
    $('entry').textContent = entry.trim();
    result.dataset.md5 = tone.md5;
    result.hidden = false;
    status.textContent = `${file.name} converted.`;
  } catch (e) {
    status.className = 'error';
    status.dataset.kind = e.kind ?? 'unexpected';
    status.textContent = `${file.name}: ${e.message}`;
  }
}

try {
  await init();
  $('file').disabled = false;
  $('file').addEventListener('change', (ev) => {
    const file = ev.target.files[0];
    if (file) onFile(file);
  });
  status.textContent = 'Ready.';
  document.body.dataset.ready = 'true';
} catch (e) {
  status.className = 'error';
  status.textContent = `Could not load ringforge: ${e.message}`;
}
