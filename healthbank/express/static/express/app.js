// NHI Express (健保快易通): the app's screens on the JSON API at /api/v1/.
// Every word shown comes from the page (the templates and the "express-strings" JSON), so
// Django translates it; this script only moves between screens and talks to the API.
// vcard.js adds the virtual NHI card's screens through window.Express (see the end).
(() => {
  "use strict";

  const body = document.body;
  const API = body.dataset.api;
  const T = JSON.parse(document.getElementById("express-strings").textContent);
  const ROC = document.documentElement.lang.startsWith("zh");
  const $ = (selector, root = document) => root.querySelector(selector);
  const QR_PREFIX = "healthbank-device:";

  // --- what the phone keeps -------------------------------------------------------------
  // The device's identifier and its credentials outlive the browser (localStorage); the
  // sign-in tokens do not (sessionStorage), so closing the app signs out.
  const KEY = {
    device: "express.device",
    credentials: "express.credentials",
    tokens: "express.tokens",
  };

  function newUuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    // randomUUID needs a secure context, which a phone on the demo's plain-http address lacks.
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  function deviceIdentifier() {
    let id = localStorage.getItem(KEY.device);
    if (!id) {
      id = newUuid();
      localStorage.setItem(KEY.device, id);
    }
    return id;
  }

  // The user agent's first brackets name the phone ("Linux; Android 14; Pixel 8").
  function deviceModel() {
    const inner = /\(([^)]*)\)/.exec(navigator.userAgent);
    return (inner ? inner[1] : navigator.userAgent).slice(0, 100);
  }

  const device = () => ({ platform: "web", model: deviceModel(), identifier: deviceIdentifier() });

  // One credential per account verified on this device, keyed by the masked ID the API
  // returns (A12345****): the phone never stores a whole national ID.
  const mask = (nationalId) => nationalId.slice(0, 6) + "****";
  const credentials = () => JSON.parse(localStorage.getItem(KEY.credentials) || "{}");
  function saveCredential(account, credential) {
    localStorage.setItem(KEY.credentials, JSON.stringify({ ...credentials(), [account]: credential }));
  }

  const tokens = () => JSON.parse(sessionStorage.getItem(KEY.tokens) || "null");
  function saveTokens(pair) {
    if (pair) {
      const kept = { access: pair.access_token, refresh: pair.refresh_token };
      sessionStorage.setItem(KEY.tokens, JSON.stringify(kept));
    } else {
      sessionStorage.removeItem(KEY.tokens);
    }
  }

  // --- the API ---------------------------------------------------------------------------
  // Answers can arrive out of order (a screen's first load still on its way when the person
  // presses 資料申請): only the newest question of each kind is shown, an older answer dropped.
  const STALE = Symbol("stale");
  const asked = {};
  async function newest(kind, question) {
    const ticket = (asked[kind] = (asked[kind] || 0) + 1);
    const answer = await question();
    return ticket === asked[kind] ? answer : STALE;
  }

  class ApiError extends Error {
    constructor(code, message) {
      super(message);
      this.code = code;
    }
  }

  async function call(method, path, data, { auth = false, retried = false } = {}) {
    const headers = { Accept: "application/json" };
    if (data !== undefined) headers["Content-Type"] = "application/json";
    const pair = tokens();
    if (auth && pair) headers.Authorization = `Bearer ${pair.access}`;
    let response;
    try {
      response = await fetch(API + path, {
        method,
        headers,
        body: data === undefined ? undefined : JSON.stringify(data),
        cache: "no-store",
      });
    } catch {
      throw new ApiError("network", T.network);
    }
    const payload = response.status === 204 ? null : await response.json().catch(() => null);
    if (response.ok) return payload;
    // The API's message is already in the person's language: shown as given.
    const error = new ApiError(payload?.code || "error", payload?.message || T.failed);
    if (auth && response.status === 401) {
      // An expired access token is renewed once; anything else means signing in again.
      if (error.code === "token_expired" && !retried && pair && (await renew(pair.refresh))) {
        return call(method, path, data, { auth, retried: true });
      }
      saveTokens(null);
      error.signedOut = true;
    }
    throw error;
  }

  async function renew(refreshToken) {
    try {
      saveTokens(await call("POST", "auth/refresh", { refresh_token: refreshToken }));
      return true;
    } catch {
      return false;
    }
  }

  // --- messages and waiting ---------------------------------------------------------------
  const statusLine = $("[data-status]");
  const alertLine = $("[data-alert]");

  function say(text) {
    alertLine.textContent = "";
    statusLine.textContent = text || "";
  }

  function warn(text) {
    statusLine.textContent = "";
    alertLine.textContent = text;
  }

  // Runs one request for a control: disabled meanwhile, "please wait" in the status line,
  // a refusal shown as the API worded it, a dead sign-in sends the person to sign in.
  async function busy(control, work) {
    if (control) control.disabled = true;
    body.setAttribute("aria-busy", "true");
    say(T.wait);
    try {
      await work();
      if (statusLine.textContent === T.wait) say("");
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.signedOut) {
        afterSignIn = location.hash.slice(1); // back here after signing in again
        go("login", { alert: error.message });
      }
      else warn(error.message);
    } finally {
      if (control) control.disabled = false;
      body.removeAttribute("aria-busy");
    }
  }

  // 115/05/01 in Chinese (the ROC calendar), 2026-05-01 in English.
  function showDate(iso) {
    if (!iso) return "";
    const [year, month, day] = iso.slice(0, 10).split("-");
    return ROC ? `${Number(year) - 1911}/${month}/${day}` : iso.slice(0, 10);
  }

  // A moment in Taiwan's time: 115/05/01 14:05 in Chinese, 2026-05-01 14:05 in English.
  const clock = new Intl.DateTimeFormat("en-CA", {
    timeZone: body.dataset.tz || undefined, year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  });
  function showDateTime(iso) {
    if (!iso) return "";
    const part = Object.fromEntries(clock.formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
    return `${showDate(`${part.year}-${part.month}-${part.day}`)} ${part.hour}:${part.minute}`;
  }

  // 04:59: what is left of a few minutes.
  function mmss(seconds) {
    const s = Math.max(0, Math.ceil(seconds));
    return `${String(Math.floor(s / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
  }

  function element(tag, text, attributes = {}) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
    return node;
  }

  // --- screens ----------------------------------------------------------------------------
  const screens = Object.fromEntries(
    Array.from(document.querySelectorAll("[data-screen]"), (s) => [s.dataset.screen, s])
  );
  const SIGNED_IN = ["bank", "records", "record"];
  // Screens another script adds (vcard.js): name → { signedIn, load(args), parent(args), leave() }.
  const added = {};
  let pending = null; // a message to show on the next screen
  let current = null; // the screen shown
  let afterSignIn = null; // where a signed-in-only screen sent to sign in was going

  function go(hash, message = null) {
    pending = message;
    if (location.hash === `#${hash}`) route();
    else location.hash = hash;
  }

  async function route() {
    const [name, ...args] = location.hash.slice(1).split("/").map(decodeURIComponent);
    let screen = screens[name] ? name : "home";
    if ((SIGNED_IN.includes(screen) || added[screen]?.signedIn) && !tokens()) {
      // The 健康存摺 tile: sign in if this device is verified, else verify it first.
      afterSignIn = location.hash.slice(1);
      screen = Object.keys(credentials()).length ? "login" : "verify";
      history.replaceState(null, "", `#${screen}`);
    }
    show(screen);
    const message = statusLine.textContent; // the arrival message outlives the loading line
    if (screen === "bank") await busy(null, loadToday);
    else if (screen === "records") await busy(null, () => loadRecords(args[0]));
    else if (screen === "record") await busy(null, () => loadRecord(args[0], args[1]));
    else if (added[screen]?.load) await busy(null, () => added[screen].load(args));
    if (message && !statusLine.textContent) say(message);
  }

  function show(screen) {
    if (current && added[current]?.leave) added[current].leave();
    current = screen;
    for (const [name, section] of Object.entries(screens)) section.hidden = name !== screen;
    $("[data-back]").hidden = screen === "home";
    scanners.forEach((scanner) => scanner.stop());
    if (pending?.alert) warn(pending.alert);
    else say(pending?.status);
    pending = null;
    // Focus the new heading so a screen reader announces where the person is.
    $("h1", screens[screen]).focus();
  }

  // 回上頁 goes up the app's own tree, never out of the app to whatever page came before.
  function parentOf(hash) {
    const [name, code, ...rest] = hash.slice(1).split("/");
    if (added[name]) return added[name].parent ? added[name].parent([code, ...rest]) : "home";
    const parents = {
      "verify-code": "verify",
      "verify-phone": "verify",
      records: "bank",
      record: `records/${code}`,
    };
    return parents[name] || "home";
  }

  $("[data-back]").addEventListener("click", () => go(parentOf(location.hash)));

  // --- device code verification (裝置碼認證) ----------------------------------------------
  function codeFrom(text) {
    const raw = text.trim().startsWith(QR_PREFIX) ? text.trim().slice(QR_PREFIX.length) : text;
    const code = raw.replace(/[\s-]/g, "").toUpperCase();
    return /^[0-9A-Z]{8}$/.test(code) ? code : null;
  }

  async function verifyCode(code, control) {
    await busy(control, async () => {
      const out = await call("POST", "devices/verify", { code, ...device() });
      saveCredential(out.account, out.device_credential);
      $("[data-form=code]").reset();
      go("login", { status: T.verified });
    });
  }

  $("[data-form=code]").addEventListener("submit", (event) => {
    event.preventDefault();
    const code = codeFrom(event.target.code.value);
    if (!code) {
      warn(T.code_format);
      event.target.code.focus();
      return;
    }
    verifyCode(code, event.submitter);
  });

  // A picture (camera frame or photo) → the text of its QR code, or null.
  const canvas = document.createElement("canvas");
  function readQr(source, width, height, attempts) {
    const scale = Math.min(1, 1024 / Math.max(width, height)); // big photos: faster, still readable
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    const context = canvas.getContext("2d", { willReadFrequently: true });
    context.drawImage(source, 0, 0, canvas.width, canvas.height);
    const pixels = context.getImageData(0, 0, canvas.width, canvas.height);
    const found = window.jsQR(pixels.data, pixels.width, pixels.height, { inversionAttempts: attempts });
    return found ? found.data : null;
  }

  // The text of the QR code in a chosen photo, or null (also for a file that is no picture).
  async function qrInPhoto(file) {
    try {
      const picture = await createImageBitmap(file);
      return readQr(picture, picture.width, picture.height, "attemptBoth");
    } catch {
      return null;
    }
  }

  // A camera that reads QR codes into `found(text)` until one is accepted (found returns
  // true); `box` holds the video and is shown while scanning. Left screens stop theirs.
  const scanners = [];
  function qrScanner(box, video, found) {
    let stream = null;
    function stop() {
      if (stream) stream.getTracks().forEach((track) => track.stop());
      stream = null;
      video.srcObject = null;
      box.hidden = true;
    }
    function frame() {
      if (!stream) return;
      if (video.readyState >= video.HAVE_ENOUGH_DATA) {
        const text = readQr(video, video.videoWidth, video.videoHeight, "dontInvert");
        if (text && found(text)) return stop();
      }
      requestAnimationFrame(frame);
    }
    async function start() {
      if (!navigator.mediaDevices?.getUserMedia) return warn(T.camera_none);
      try {
        stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
      } catch {
        return warn(T.camera_none);
      }
      video.srcObject = stream;
      box.hidden = false;
      say(T.scanning);
      await video.play();
      requestAnimationFrame(frame);
    }
    const scanner = { start, stop };
    scanners.push(scanner);
    return scanner;
  }

  // Only the registration site's codes: another QR code is not mistaken for one.
  const deviceCodeIn = (text) => (text && text.startsWith(QR_PREFIX) ? codeFrom(text) : null);

  $("[data-photo]").addEventListener("change", async (event) => {
    const file = event.target.files[0];
    if (!file) return;
    const code = deviceCodeIn(await qrInPhoto(file));
    event.target.value = "";
    if (code) verifyCode(code, null);
    else warn(T.qr_none);
  });

  const deviceCamera = qrScanner($("[data-camera]"), $("[data-video]"), (text) => {
    const code = deviceCodeIn(text);
    if (code) verifyCode(code, null);
    return Boolean(code);
  });
  $("[data-scan]").addEventListener("click", deviceCamera.start);
  $("[data-scan-stop]").addEventListener("click", () => {
    deviceCamera.stop();
    say("");
  });

  // --- mobile phone verification (行動電話認證, seed 004) ----------------------------------
  const phoneForm = $("[data-form=phone]");

  function phoneStep(step) {
    for (const fieldset of phoneForm.querySelectorAll("[data-step]")) {
      fieldset.hidden = fieldset.dataset.step !== String(step);
    }
    $(`[data-step="${step}"] input`, phoneForm).focus();
  }

  // People type numbers as 0912-345-678, 0912 345 678 or +886 912 345 678.
  const digits = (text) => text.replace(/[\s()-]/g, "").replace(/^\+886/, "0");

  // The first field that is wrong, with what to type; null when all are right.
  function phoneProblem() {
    const f = phoneForm.elements;
    if (!/^\d{4}$/.test(digits(f.card_last4.value))) return [f.card_last4, T.need_last4];
    if (!/^09\d{8}$/.test(digits(f.mobile.value))) return [f.mobile, T.need_mobile];
    if (!f.national_id.value.trim()) return [f.national_id, T.need_id];
    return null;
  }

  $("[data-next]").addEventListener("click", () => {
    const problem = phoneProblem();
    if (problem) {
      warn(problem[1]);
      problem[0].focus();
      return;
    }
    say("");
    phoneStep(2);
  });
  $("[data-previous]").addEventListener("click", () => phoneStep(1));

  phoneForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const f = phoneForm.elements;
    if (phoneProblem()) return phoneStep(1);
    if (!f.password.value) {
      warn(T.need_password);
      f.password.focus();
      return;
    }
    await busy(event.submitter, async () => {
      try {
        const out = await call("POST", "devices/verify-phone", {
          card_last4: digits(f.card_last4.value),
          mobile: digits(f.mobile.value),
          national_id: f.national_id.value.trim().toUpperCase(),
          password: f.password.value,
          ...device(),
        });
        saveCredential(out.account, out.device_credential);
        // Seed 004: 完成手機認證, 開始查詢健康存摺 — the password was just given, so sign in.
        await signIn(f.national_id.value.trim().toUpperCase(), f.password.value,
                     out.device_credential);
        phoneForm.reset();
        phoneStep(1);
        go("bank", { status: T.verified_phone });
      } catch (error) {
        f.password.value = "";
        // A refused number: back to the number, with the seed's advice (the API's message).
        if (error.code === "phone_refused") phoneStep(1);
        throw error;
      }
    });
  });

  // --- sign in and out ----------------------------------------------------------------------
  async function signIn(nationalId, password, credential) {
    const pair = await call("POST", "auth/login", {
      national_id: nationalId,
      password,
      device_credential: credential,
      identifier: deviceIdentifier(),
    });
    saveTokens(pair);
  }

  $("[data-form=login]").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    const nationalId = form.national_id.value.trim().toUpperCase();
    if (!nationalId) return warn(T.need_id);
    if (!form.password.value) return warn(T.need_password);
    const credential = credentials()[mask(nationalId)];
    if (!credential) return warn(T.not_verified);
    await busy(event.submitter, async () => {
      await signIn(nationalId, form.password.value, credential);
      form.reset();
      go(afterSignIn || "bank");
      afterSignIn = null;
    });
  });

  $("[data-logout]").addEventListener("click", async (event) => {
    await busy(event.target, async () => {
      try {
        await call("POST", "auth/logout", undefined, { auth: true });
      } catch (error) {
        if (!(error instanceof ApiError)) throw error; // signed out either way
      }
      saveTokens(null);
      go("home", { status: T.signed_out });
    });
  });

  // --- today's data (申請本日資料, 申請結果) -------------------------------------------------
  let labels = {}; // category code → label, from the latest result

  async function askToday(method) {
    const today = await newest("today", () => call(method, "today", undefined, { auth: true }));
    if (today !== STALE) showToday(today); // 204 (null): not asked yet
  }
  const loadToday = () => askToday("GET");

  function showToday(today) {
    const result = $("[data-result]");
    const list = $("[data-categories]");
    const date = $("[data-result-date]");
    list.replaceChildren();
    result.dataset.state = today ? today.status : "none";
    date.hidden = !today;
    if (today) $("span", date).textContent = showDate(today.requested_on);
    const waiting = today && ["pending", "running"].includes(today.status);
    $("[data-refresh]").hidden = !waiting;
    if (!today) {
      $("[data-result-text]").textContent = T.not_applied;
    } else if (waiting) {
      $("[data-result-text]").textContent = T.processing;
    } else if (["ready", "empty"].includes(today.status)) {
      $("[data-result-text]").textContent = "";
      for (const category of today.categories || []) {
        labels[category.code] = category.label;
        list.append(categoryRow(category));
      }
    } else {
      $("[data-result-text]").textContent = `${today.label} ${T.try_again}`;
    }
  }

  function categoryRow(category) {
    const row = element("li", null, { "data-category": category.code });
    row.append(element("span", category.label));
    if (category.count) {
      const link = element("a", T.browse, { href: `#records/${encodeURIComponent(category.code)}`, class: "button" });
      link.setAttribute("aria-label", `${category.label} ${T.browse}`);
      row.append(link);
    } else {
      row.append(element("span", T.no_data, { class: "none" }));
    }
    return row;
  }

  $("[data-apply]").addEventListener("click", (event) =>
    busy(event.target, () => askToday("POST"))
  );
  $("[data-refresh]").addEventListener("click", (event) => busy(event.target, loadToday));

  // --- records ----------------------------------------------------------------------------
  async function labelOf(code) {
    if (!labels[code]) {
      for (const category of await call("GET", "categories", undefined, { auth: true })) {
        labels[category.code] = category.label;
      }
    }
    return labels[code] || code;
  }

  async function loadRecords(code) {
    const list = $("[data-records]");
    list.replaceChildren();
    const path = `records/${encodeURIComponent(code)}`;
    const answer = await newest("records", () => Promise.all([labelOf(code), call("GET", path, undefined, { auth: true })]));
    if (answer === STALE) return;
    const [title, rows] = answer;
    $("[data-records-title]").textContent = title;
    if (!rows.length) list.append(element("li", T.no_records));
    for (const row of rows) {
      const link = element("a", null, { href: `#record/${encodeURIComponent(code)}/${row.id}` });
      link.append(element("span", [showDate(row.date), row.provider].filter(Boolean).join(" · "), { class: "meta" }));
      link.append(element("span", row.summary, { class: "summary" }));
      const item = element("li", null, { "data-record": row.id });
      item.append(link);
      list.append(item);
    }
  }

  async function loadRecord(code, id) {
    const details = $("[data-record-details]");
    details.replaceChildren();
    $("[data-record-summary]").textContent = "";
    const path = `records/${encodeURIComponent(code)}/${encodeURIComponent(id)}`;
    const answer = await newest("record", () => Promise.all([labelOf(code), call("GET", path, undefined, { auth: true })]));
    if (answer === STALE) return;
    const [title, record] = answer;
    $("[data-record-title]").textContent = title;
    $("[data-record-summary]").textContent = record.summary;
    const pairs = [
      [T.date, showDate(record.date)],
      [T.provider, record.provider],
      ...(record.details || []).map((d) => [d.label, d.value]),
    ];
    for (const [label, value] of pairs) {
      if (value === null || value === undefined || value === "") continue;
      details.append(element("dt", label), element("dd", value));
    }
  }

  // --- what vcard.js uses -------------------------------------------------------------------
  window.Express = {
    T, API, ApiError, $, call, renew, tokens, saveTokens, busy, say, warn, go, element, showDate, showDateTime,
    mmss, qrInPhoto, qrScanner,
    screen(name, spec) {
      added[name] = spec;
    },
  };

  // --- start ------------------------------------------------------------------------------
  if ("serviceWorker" in navigator) {
    // Not fatal when refused (a plain-http address): the app then simply needs the network.
    navigator.serviceWorker.register(body.dataset.sw, { scope: body.dataset.scope }).catch(() => {});
  }
  window.addEventListener("hashchange", route);
  // Deferred scripts all run before DOMContentLoaded: by then vcard.js has added its screens.
  document.addEventListener("DOMContentLoaded", route);
})();
