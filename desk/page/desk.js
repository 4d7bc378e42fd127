// Passerelle — the mediator's desk in a browser. The page's glue, written by hand: every decision
// about a code, a profile, a pickup, a package or La Coop's link is made by the WebAssembly module
// (the same Rust code as `passerelle decode` and `mediateur record`/`export`); this script moves
// text between the module, the page and the browser's storage. Nothing is sent anywhere.
'use strict';
(() => {
  const $ = (id) => document.getElementById(id);
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  const desk = { ready: false, timings: {}, errors: [], reads: 0, frames: [] };
  window.passerelleDesk = desk;
  let compiled = null;
  let wasm = null;
  let bundleJson = null;
  let lastPanic = '';
  let current = null; // the code on screen: the module's answer to "decode"
  let store = null;

  // ---------------------------------------------------------------- small helpers
  function el(tag, props, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (k === 'class') e.className = v;
      else if (k === 'text') e.textContent = v;
      else if (k.startsWith('data-') || k.startsWith('aria-') || k === 'for' || k === 'role') e.setAttribute(k, v);
      else e[k] = v;
    }
    for (const c of children) if (c !== null && c !== undefined) e.append(c);
    return e;
  }
  function say(id, message, kind) {
    const p = $(id);
    p.textContent = message;
    p.classList.toggle('error', kind === 'error');
    p.classList.toggle('ok', kind === 'ok');
  }
  function pad(n) { return String(n).padStart(2, '0'); }
  function localDay(d) { return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`; }
  function localTime(d) { return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`; }
  // The time the places' opening hours are read at: now, or `#now=YYYY-MM-DDTHH:MM:SS` (tests).
  function now() {
    const fixed = /(?:^#|&)now=([0-9T:-]+)/.exec(location.hash);
    if (fixed) return fixed[1];
    const d = new Date();
    return `${localDay(d)}T${localTime(d)}`;
  }

  // ---------------------------------------------------------------- the module
  const imports = {
    passerelle: {
      random(ptr, len) {
        for (let i = 0; i < len; i += 65536) {
          crypto.getRandomValues(new Uint8Array(wasm.memory.buffer, ptr + i, Math.min(65536, len - i)));
        }
      },
      panic(ptr, len) { lastPanic = dec.decode(new Uint8Array(wasm.memory.buffer, ptr, len)); },
    },
  };

  async function start() {
    const b64 = $('module').textContent.trim();
    const bin = atob(b64);
    const gz = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) gz[i] = bin.charCodeAt(i);
    if (typeof DecompressionStream === 'undefined') throw new Error('Ce navigateur est trop ancien pour cette page : utilisez un Chrome, Edge ou Firefox à jour.');
    const stream = new Blob([gz]).stream().pipeThrough(new DecompressionStream('gzip'));
    const bytes = await new Response(stream).arrayBuffer();
    compiled = await WebAssembly.compile(bytes);
    return instantiate();
  }

  async function instantiate() {
    // A dependency (chrono, for the places' opening hours) links a few wasm-bindgen imports the
    // module never calls: each gets a function that fails loudly if it ever were.
    for (const imp of WebAssembly.Module.imports(compiled)) {
      if (imp.module === 'passerelle' || imp.kind !== 'function') continue;
      imports[imp.module] = imports[imp.module] || {};
      imports[imp.module][imp.name] = () => { throw new Error(`appel inattendu du module : ${imp.module}.${imp.name}`); };
    }
    const instance = await WebAssembly.instantiate(compiled, imports);
    wasm = instance.exports;
    wasm.desk_start();
    const info = call('init', bundleJson);
    if (!info.ok) throw new Error(info.message);
    return info;
  }

  function put(bytes) {
    const p = wasm.desk_alloc(bytes.length);
    new Uint8Array(wasm.memory.buffer, p, bytes.length).set(bytes);
    return p;
  }

  function answer(r) {
    const ptr = Number(r >> 32n);
    const len = Number(r & 0xffffffffn);
    const text = dec.decode(new Uint8Array(wasm.memory.buffer, ptr, len).slice());
    wasm.desk_free(ptr, len);
    return JSON.parse(text);
  }

  // A trap (a bug in the module) must not leave the page dead: say so, load the module again.
  function crashed(e) {
    const why = lastPanic || String(e);
    desk.errors.push(why);
    lastPanic = '';
    wasm = null;
    instantiate().catch((err) => desk.errors.push(String(err)));
    return { ok: false, message: `Erreur interne de la page (${why}). Réessayez ; si cela recommence, signalez-le au département.` };
  }

  function call(op, arg) {
    if (!wasm) return { ok: false, message: 'La page redémarre : réessayez dans un instant.' };
    const o = enc.encode(op);
    const a = enc.encode(typeof arg === 'string' ? arg : JSON.stringify(arg));
    try {
      const op_p = put(o);
      const arg_p = put(a);
      const out = answer(wasm.desk_call(op_p, o.length, arg_p, a.length));
      wasm.desk_free(op_p, o.length);
      wasm.desk_free(arg_p, a.length);
      return out;
    } catch (e) {
      return crashed(e);
    }
  }

  function scanFrame(rgba, width, height) {
    if (!wasm) return { ok: true, texts: [] };
    try {
      const p = put(rgba);
      const out = answer(wasm.desk_scan(p, rgba.length, width, height));
      wasm.desk_free(p, rgba.length);
      return out;
    } catch (e) {
      return crashed(e);
    }
  }

  // ---------------------------------------------------------------- the browser's storage
  // IndexedDB, one database per structure (pages of two structures on one computer share the
  // `file://` origin): `pickups` keyed by (kiosk, visit), `settings` (the key, the exports made).
  function openStore(structureId) {
    return new Promise((resolve) => {
      let req;
      try {
        req = indexedDB.open(`passerelle-bureau-${structureId}`, 1);
      } catch (e) {
        resolve(null);
        return;
      }
      req.onupgradeneeded = () => {
        const db = req.result;
        db.createObjectStore('pickups', { keyPath: ['kiosk_id', 'visit_id'] });
        db.createObjectStore('settings', { keyPath: 'name' });
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => resolve(null);
      req.onblocked = () => resolve(null);
    });
  }

  // The same interface in memory, where the browser gives no storage (then said on screen).
  function memoryStore() {
    const m = { pickups: new Map(), settings: new Map() };
    const key = (s, v) => (s === 'pickups' ? `${v.kiosk_id}/${v.visit_id}` : v.name);
    return {
      persistent: false,
      async get(s, k) { return m[s].get(Array.isArray(k) ? k.join('/') : k); },
      async all(s) { return [...m[s].values()]; },
      async put(s, v) { m[s].set(key(s, v), v); },
      async putAll(s, vs) { for (const v of vs) m[s].set(key(s, v), v); },
      async del(s, k) { m[s].delete(Array.isArray(k) ? k.join('/') : k); },
    };
  }

  function dbStore(db) {
    const run = (s, mode, f) => new Promise((resolve, reject) => {
      const tx = db.transaction(s, mode);
      const r = f(tx.objectStore(s));
      tx.oncomplete = () => resolve(r && r.result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error || new Error('transaction abandonnée'));
    });
    return {
      persistent: true,
      get: (s, k) => run(s, 'readonly', (o) => o.get(k)),
      all: (s) => run(s, 'readonly', (o) => o.getAll()),
      put: (s, v) => run(s, 'readwrite', (o) => { o.put(v); }),
      putAll: (s, vs) => run(s, 'readwrite', (o) => { for (const v of vs) o.put(v); }),
      del: (s, k) => run(s, 'readwrite', (o) => { o.delete(k); }),
    };
  }

  // ---------------------------------------------------------------- reading a code
  function clearProfile() {
    current = null;
    $('profile').hidden = true;
  }

  // `quiet`: typing or pasting, not yet a whole code: no message until it decodes.
  async function read(input, quiet) {
    const t0 = performance.now();
    const text = input.trim();
    if (!text) {
      if (!quiet) say('status', 'Scannez d\'abord le code du visiteur (ou collez-le).', 'error');
      return;
    }
    if (current && current.payload === text) {
      // The code on screen scanned again: the same profile (and the boxes ticked stay ticked).
      if (!quiet) {
        say('status', `Profil lu : référence ${current.reference_shown}.`, 'ok');
        desk.reads += 1;
      }
      return;
    }
    const r = call('decode', { payload: text, now: now() });
    if (!r.ok) {
      if (quiet) return;
      clearProfile();
      if (r.reference) {
        const found = (await store.all('pickups')).filter((p) => p.visit_id === r.reference);
        const line = found.map((p) => `prise en charge enregistrée le ${p.local_date.split('-').reverse().join('/')} (borne ${p.kiosk_id})`).join(' ; ');
        say('status', found.length ? `Référence ${r.reference_shown} : ${line}. ${r.message}` : r.message, 'error');
      } else {
        say('status', r.message, 'error');
      }
      return;
    }
    current = r;
    render(r);
    $('scan').value = r.payload;
    $('scan').select();
    say('status', `Profil lu : référence ${r.reference_shown}.`, 'ok');
    say('record-status', '');
    const t1 = performance.now();
    desk.reads += 1;
    desk.timings.decode_ms = t1 - t0;
    requestAnimationFrame(() => { desk.timings.decode_painted_ms = performance.now() - t0; });
  }

  function render(r) {
    const d = r.decoded;
    $('reference').textContent = r.reference_shown;
    $('reference').dataset.value = d.reference;
    $('kiosk').textContent = d.kiosk_id;
    $('visit-date').textContent = r.date_shown || 'date inconnue';
    $('visit-date').dataset.value = d.date || '';
    $('lang').textContent = r.lang_name;
    $('lang').dataset.value = d.lang;
    $('versions').textContent = `${d.questionnaire_version} · règles ${d.rules_version}`;
    $('verified').textContent = d.profile_verified ? 'vérifié' : 'tel que transmis';
    $('verified').dataset.value = String(d.profile_verified);
    $('partial').hidden = !d.partial;
    $('other-questionnaire').hidden = d.answers_decoded;
    $('urgent').hidden = !d.urgent;
    $('urgent').textContent = d.urgent ? `⚠ Démarche urgente : ${d.urgent.label}` : '';
    $('urgent').dataset.value = d.urgent ? d.urgent.id : '';

    $('facts').replaceChildren(...d.facts.map((f) => el('li', { text: f })));
    $('facts-section').hidden = d.facts.length === 0;

    const qa = [];
    for (const [id, a] of Object.entries(d.visitor)) {
      qa.push(el('dt', { 'data-id': id, text: a.question }));
      const dd = el('dd', { 'data-id': id, 'data-answered': String(a.answered) });
      if (!a.answered) dd.textContent = 'pas de réponse';
      a.answers.forEach((x, i) => {
        if (i) dd.append(' ; ');
        dd.append(el('span', { 'data-id': x.id, text: x.label }));
      });
      qa.push(dd);
    }
    $('visitor').replaceChildren(...qa);
    $('visitor-section').hidden = qa.length === 0;

    const groups = [];
    let list = null;
    for (const s of d.suggestions) {
      if (!list || list.dataset.field !== s.field) {
        list = el('ul', { 'data-field': s.field });
        groups.push(el('div', { class: 'suggestion-group' }, el('h4', { text: r.suggestion_titles[s.field] }), list));
      }
      const code = s.value !== s.label && /^[a-z_]+$/.test(s.value) ? el('span', { class: 'code', text: ` (${s.value})` }) : null;
      list.append(el('li', { 'data-field': s.field, 'data-value': s.value },
        el('span', { class: 'label', text: s.label }), code, el('span', { class: 'why', text: ` — pourquoi : ${s.why}` })));
    }
    if (!d.profile.autonomie) groups.unshift(el('p', { text: 'Autonomie : non évaluée (trop peu de réponses).' }));
    $('suggestions').replaceChildren(...groups);

    $('profile-rows').tBodies[0].replaceChildren(...r.profile_rows.map((row) =>
      el('tr', { 'data-field': row.field, 'data-value': JSON.stringify(row.value) },
        el('th', { scope: 'row', text: row.field }), el('td', { text: row.label }))));
    $('details').textContent = r.details_shown.trimEnd();

    $('places').replaceChildren(...r.places_shown.map((p, i) => el('li', { 'data-id': r.places_ids[i] },
      el('strong', { text: p.name }), el('br'), p.why, el('br'), p.opening, el('br'), p.address, p.phone ? el('br') : null, p.phone ? `Tél. ${p.phone}` : null)));
    $('places-section').hidden = r.places_shown.length === 0;

    renderCoop(r);
    $('profile').hidden = false;
  }

  // ---------------------------------------------------------------- La Coop
  function renderCoop(r) {
    const c = r.coop;
    $('coop-stated').replaceChildren(...(c.stated.length ? c.stated.map((s) => el('li', { 'data-field': s.field, 'data-value': s.value, text: `${s.field === 'beneficiaire.trancheAge' ? 'Tranche d’âge' : 'Genre'} : ${s.label}` }))
      : [el('li', { text: 'rien (le visiteur n\'a indiqué ni son âge ni son genre)' })]));
    $('coop-choices').replaceChildren(...c.choices.map((ch, i) => {
      const box = el('input', { type: 'checkbox', id: `coop-${i}`, value: ch.key });
      box.addEventListener('change', updateCoopLink);
      return el('label', { class: 'choice', for: `coop-${i}` }, box, ` ${ch.label} `, el('span', { class: 'field', text: `(${ch.field_label})` }));
    }));
    $('coop-choices-box').hidden = c.choices.length === 0;
    $('coop-not-offered').textContent = c.not_offered.length ? `Non proposé : ${c.not_offered.map((n) => `${n.passerelle} (${n.why})`).join(' ; ')}` : '';
    updateCoopLink();
  }

  function updateCoopLink() {
    if (!current) return;
    const ticked = [...$('coop-choices').querySelectorAll('input:checked')].map((b) => b.value);
    const r = call('coop_url', { payload: current.payload, ticked });
    const a = $('coop-link');
    if (r.ok) {
      a.href = r.url;
      a.removeAttribute('aria-disabled');
    } else {
      a.href = '#';
      a.setAttribute('aria-disabled', 'true');
      say('status', r.message, 'error');
    }
  }

  // ---------------------------------------------------------------- pickups
  async function recordPickup() {
    if (!current) {
      say('record-status', 'Scannez d\'abord le code du visiteur.', 'error');
      return;
    }
    const d = current.decoded;
    const existing = (await store.get('pickups', [d.kiosk_id, d.reference])) || null;
    const r = call('record', { payload: current.payload, outcome: $('outcome').value || null, day: localDay(new Date()), existing });
    if (!r.ok) {
      say('record-status', `Prise en charge non enregistrée : ${r.message}`, 'error');
      return;
    }
    if (r.write) {
      const keep = existing && !(r.outcome_changed || r.outcome_added) ? existing.exported_in : null;
      try {
        await store.put('pickups', { ...r.write, exported_in: keep, saved_at: Date.now() });
      } catch (e) {
        say('record-status', `Prise en charge non enregistrée : le navigateur refuse d'écrire (${e}).`, 'error');
        return;
      }
      if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {});
    }
    say('record-status', r.message, 'ok');
    await showPickups();
  }

  async function showPickups() {
    const all = await store.all('pickups');
    const byKey = new Map(all.map((p) => [`${p.kiosk_id}/${p.visit_id}`, p]));
    const r = call('rows', { pickups: all });
    if (!r.ok) {
      say('export-status', r.message, 'error');
      return;
    }
    $('pickup-count').textContent = String(r.rows.length);
    $('pickups').tBodies[0].replaceChildren(...r.rows.map((row) => {
      const stored = byKey.get(row.key);
      const remove = el('button', { type: 'button', text: 'Supprimer', 'aria-label': `Supprimer la prise en charge ${row.reference_shown}` });
      remove.addEventListener('click', () => removePickup(remove, stored, row));
      return el('tr', { 'data-key': row.key, 'data-outcome': row.outcome || '' },
        el('td', { text: row.day_shown }), el('td', { text: row.reference_shown }), el('td', { text: row.kiosk_id }),
        el('td', { text: row.outcome_shown }), el('td', { text: stored && stored.exported_in ? 'exportée' : 'à exporter' }), el('td', {}, remove));
    }));
  }

  // Two steps, so that a stray click removes nothing.
  async function removePickup(button, stored, row) {
    if (button.dataset.armed !== 'yes') {
      button.dataset.armed = 'yes';
      button.textContent = 'Confirmer la suppression';
      setTimeout(() => { button.dataset.armed = ''; button.textContent = 'Supprimer'; }, 6000);
      return;
    }
    await store.del('pickups', [stored.kiosk_id, stored.visit_id]);
    say('export-status', `Prise en charge ${row.reference_shown} supprimée.`, 'ok');
    await showPickups();
    $('scan').focus();
  }

  function base64Bytes(b64) {
    const bin = atob(b64);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }

  function download(name, bytes, type) {
    const url = URL.createObjectURL(new Blob([bytes], { type }));
    const a = el('a', { href: url, download: name });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  }

  async function structureKey() {
    const saved = await store.get('settings', 'key');
    if (saved) return saved.secret;
    const k = call('new_key', {});
    if (!k.ok) throw new Error(k.message);
    await store.put('settings', { name: 'key', secret: k.secret, made: localDay(new Date()) });
    await showKey();
    say('key-status', 'Nouvelle clé de la structure créée : donnez la ligne ci-dessus au département, et sauvegardez la clé.', 'ok');
    return k.secret;
  }

  async function exportPickups() {
    const all = await store.all('pickups');
    const chosen = $('export-all').checked ? all : all.filter((p) => !p.exported_in);
    let secret;
    try {
      secret = chosen.length ? await structureKey() : '';
    } catch (e) {
      say('export-status', `Export impossible : ${e.message}`, 'error');
      return;
    }
    const taken = ((await store.get('settings', 'exports')) || { names: [] }).names;
    const d = new Date();
    const r = call('export', { pickups: chosen, secret, today: localDay(d), time: localTime(d), taken });
    if (!r.ok) {
      say('export-status', r.message, 'error');
      return;
    }
    download(r.file_name, base64Bytes(r.zip_base64), 'application/zip');
    await store.putAll('pickups', chosen.map((p) => ({ ...p, exported_in: r.name })));
    await store.put('settings', { name: 'exports', names: [...taken, r.name] });
    say('export-status', r.message, 'ok');
    await showPickups();
  }

  async function showKey() {
    const saved = await store.get('settings', 'key');
    if (!saved) return;
    const k = call('key_info', { secret: saved.secret });
    $('key-line').textContent = k.ok ? k.line : k.message;
    $('key-line').dataset.public = k.ok ? k.public : '';
    $('key-backup').disabled = !k.ok;
  }

  async function backupKey() {
    const saved = await store.get('settings', 'key');
    if (!saved) return;
    const id = window.passerelleDesk.structure.id;
    download(`passerelle-structure-${id}.key`, enc.encode(saved.secret), 'text/plain');
    say('key-status', 'Clé sauvegardée : gardez ce fichier en lieu sûr (il permet de signer au nom de la structure).', 'ok');
  }

  async function restoreKey(file) {
    const text = await file.text();
    const k = call('key_info', { secret: text });
    if (!k.ok) {
      say('key-status', k.message, 'error');
      return;
    }
    await store.put('settings', { name: 'key', secret: text, made: localDay(new Date()) });
    await showKey();
    say('key-status', 'Clé restaurée : les prochains exports sont signés avec elle.', 'ok');
  }

  // ---------------------------------------------------------------- the camera
  const camera = { stream: null, timer: 0, canvas: null };

  async function startCamera() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      say('status', 'Ce navigateur ne donne pas accès à la caméra depuis cette page : utilisez un lecteur de codes ou collez le code.', 'error');
      return;
    }
    try {
      camera.stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: { ideal: 'environment' }, width: { ideal: 1280 }, height: { ideal: 720 } }, audio: false });
    } catch (e) {
      say('status', `Caméra indisponible (${e.name === 'NotAllowedError' ? 'accès refusé' : e.name || e}) : utilisez un lecteur de codes ou collez le code.`, 'error');
      return;
    }
    const video = $('video');
    video.srcObject = camera.stream;
    $('camera').hidden = false;
    await video.play().catch(() => {});
    say('status', 'Caméra ouverte : montrez-lui le code QR du visiteur (écran de la borne, ticket ou photo sur un téléphone).');
    camera.canvas = document.createElement('canvas');
    tick();
  }

  function stopCamera() {
    clearTimeout(camera.timer);
    if (camera.stream) camera.stream.getTracks().forEach((t) => t.stop());
    camera.stream = null;
    $('video').srcObject = null;
    $('camera').hidden = true;
    $('scan').focus();
  }

  function tick() {
    if (!camera.stream) return;
    const video = $('video');
    if (video.videoWidth > 0) {
      const scale = Math.min(1, 800 / Math.max(video.videoWidth, video.videoHeight));
      const w = Math.round(video.videoWidth * scale);
      const h = Math.round(video.videoHeight * scale);
      const c = camera.canvas;
      c.width = w;
      c.height = h;
      const ctx = c.getContext('2d', { willReadFrequently: true });
      ctx.drawImage(video, 0, 0, w, h);
      const t0 = performance.now();
      const found = scanFrame(ctx.getImageData(0, 0, w, h).data, w, h);
      desk.timings.frame_ms = performance.now() - t0;
      desk.frames.push({ ms: desk.timings.frame_ms, width: w, height: h, found: (found.texts || []).length });
      if (desk.frames.length > 50) desk.frames.shift();
      for (const text of found.texts || []) {
        const r = call('decode', { payload: text, now: now() });
        if (r.ok) {
          stopCamera();
          current = null;
          read(text, false);
          return;
        }
        say('status', `Code QR lu, mais : ${r.message}`, 'error');
      }
    }
    camera.timer = setTimeout(tick, 150);
  }

  // ---------------------------------------------------------------- the page
  function keepFocus() {
    // A click outside a control gives the focus back to the scan field (text can still be
    // selected and copied).
    document.addEventListener('click', (e) => {
      if (e.target.closest('input, select, button, a, label, textarea, summary')) return;
      if (String(window.getSelection())) return;
      $('scan').focus();
    });
    // A scanner typing while a button or a box has the focus: the characters go to the field.
    document.addEventListener('keydown', (e) => {
      const t = e.target;
      if (t.closest && t.closest('input[type=text], textarea, select')) return;
      if (e.key.length !== 1 || e.key === ' ' || e.ctrlKey || e.metaKey || e.altKey) return;
      $('scan').focus();
    });
  }

  async function main() {
    bundleJson = $('bundle').textContent;
    let info;
    try {
      info = await start();
    } catch (e) {
      say('status', `La page ne peut pas démarrer : ${e.message || e}`, 'error');
      desk.errors.push(String(e));
      return;
    }
    desk.structure = info.structure;
    $('outcome').append(...info.outcomes.map((o) => el('option', { value: o.id, text: o.label })));
    $('about').textContent = `Passerelle ${info.passerelle_version} · page écrite le ${info.made_on.split('-').reverse().join('/')} pour ${info.structure.name} (${info.structure.id})`
      + ` · questionnaire ${info.questionnaire_version}, règles ${info.rules_version} · ${info.places.count} lieux (${info.places.source})`
      + ' · rien n\'est envoyé sur le réseau.';
    const db = await openStore(info.structure.id);
    store = db ? dbStore(db) : memoryStore();
    if (!db) {
      say('export-status', 'Ce navigateur ne garde rien pour cette page : les prises en charge seront perdues à sa fermeture. Exportez-les avant de fermer.', 'error');
      $('storage-note').textContent = 'Attention : elles ne sont gardées que tant que la page est ouverte.';
    }
    const scan = $('scan');
    $('scan-form').addEventListener('submit', (e) => { e.preventDefault(); read(scan.value, false); });
    scan.addEventListener('input', () => read(scan.value, true));
    $('clear-button').addEventListener('click', () => { scan.value = ''; clearProfile(); say('status', 'Scannez le code QR du visiteur (ou collez-le), puis Entrée.'); scan.focus(); });
    $('camera-button').addEventListener('click', startCamera);
    $('camera-stop').addEventListener('click', stopCamera);
    $('record-button').addEventListener('click', async () => { await recordPickup(); scan.focus(); });
    $('export-button').addEventListener('click', async () => { await exportPickups(); scan.focus(); });
    $('copy-button').addEventListener('click', async () => {
      if (!current) return;
      try {
        await navigator.clipboard.writeText(current.text);
        say('status', 'Profil copié.', 'ok');
      } catch (e) {
        say('status', 'Copie impossible dans ce navigateur : sélectionnez le texte à la main.', 'error');
      }
      scan.focus();
    });
    $('print-button').addEventListener('click', () => window.print());
    $('key-backup').addEventListener('click', backupKey);
    $('key-restore-button').addEventListener('click', () => $('key-restore').click());
    $('key-restore').addEventListener('change', (e) => { if (e.target.files[0]) restoreKey(e.target.files[0]); e.target.value = ''; });
    keepFocus();
    await showPickups();
    await showKey();
    for (const id of ['scan', 'read-button', 'camera-button']) $(id).disabled = false;
    say('status', 'Prêt : scannez le code QR du visiteur (ou collez-le), puis Entrée.');
    scan.focus();
    desk.timings.ready_ms = performance.now();
    desk.ready = true;
  }

  main();
})();
