// NHI Express: the virtual NHI card (虛擬健保卡, seed 004) on /api/v1/vcard/. Apply (for
// oneself or a household member), show the one-time QR code, authorise others and agree, and
// find where the card is accepted. Built on app.js (window.Express); holds no text either.
(() => {
  "use strict";

  const X = window.Express;
  const { T, $, busy, say, warn, go, element, showDateTime, mmss } = X;
  const AUTH = { auth: true };
  const get = (path) => X.call("GET", `vcard${path}`, undefined, AUTH);
  const post = (path, data) => X.call("POST", `vcard${path}`, data, AUTH);
  const CLAIM_PREFIX = "healthbank-authorise:";

  // "%(name)s …" strings from Django, filled here.
  const fill = (text, values) => text.replace(/%\((\w+)\)s/g, (_, key) => values[key] ?? "");

  // Today in Taiwan, as 2026-11-23 (what a date field holds).
  function today() {
    const zone = document.body.dataset.tz || undefined;
    return new Intl.DateTimeFormat("en-CA", { timeZone: zone }).format(new Date());
  }

  let me = null; // the signed-in person's id, once a status is loaded
  async function status() {
    const out = await get("");
    me = out.card?.owner.id ?? me;
    return out;
  }

  // --- photos: fetched with the token, shown from memory, forgotten on leaving --------------
  const shown = new Set();

  async function photoInto(img, path, retried = false) {
    img.removeAttribute("src");
    const pair = X.tokens();
    if (!pair) return;
    let response;
    try {
      response = await fetch(path, {
        headers: { Authorization: `Bearer ${pair.access}` },
        cache: "no-store",
      });
    } catch {
      return; // no photo is no reason to fail the screen
    }
    if (response.status === 401 && !retried && (await X.renew(pair.refresh))) {
      return photoInto(img, path, true);
    }
    if (!response.ok) return;
    const url = URL.createObjectURL(await response.blob());
    shown.add(url);
    img.src = url;
  }

  function forgetPhotos() {
    for (const img of document.querySelectorAll("[data-vcard-photo], [data-qr-photo]")) {
      img.removeAttribute("src");
    }
    shown.forEach((url) => URL.revokeObjectURL(url));
    shown.clear();
  }

  // --- a confirmation in the app's own words (the browser's confirm() is in its own) --------
  const dialog = $("[data-confirm]");
  function confirmed(text, yes) {
    $("[data-confirm-text]").textContent = text;
    $("[data-confirm-yes]").textContent = yes;
    dialog.returnValue = "";
    dialog.showModal();
    return new Promise((resolve) => {
      dialog.addEventListener("close", () => resolve(dialog.returnValue === "yes"), { once: true });
    });
  }

  // A row of a list: a title, grey lines under it, then its buttons.
  function row(title, lines, attributes = {}) {
    const item = element("li", null, attributes);
    item.append(element("strong", title));
    for (const line of lines.filter(Boolean)) item.append(element("span", line, { class: "meta" }));
    return item;
  }

  // A moment as the person reads it: a day's start is the day; an end at a day's start is
  // the day before (an authorisation to 11/30 ends at 12/01 00:00).
  function moment(iso, end = false) {
    if (!iso) return "";
    const text = showDateTime(iso);
    if (!text.endsWith(" 00:00")) return text;
    if (!end) return text.slice(0, -6);
    return showDateTime(new Date(new Date(iso).getTime() - 60000).toISOString()).slice(0, -6);
  }

  function period(from, to) {
    if (!from && !to) return "";
    return fill(T.vcard_period, { from: moment(from), to: moment(to, true) });
  }

  // Countdowns of the screen shown: elements with data-deadline (ms), ticking each second.
  let ticker = null;
  function tick() {
    for (const node of document.querySelectorAll("[data-deadline]")) {
      const left = (Number(node.dataset.deadline) - Date.now()) / 1000;
      node.textContent = node.dataset.label ? fill(node.dataset.label, { time: mmss(left) }) : mmss(left);
      if (left <= 0) {
        delete node.dataset.deadline;
        node.dispatchEvent(new Event("expired"));
      }
    }
  }
  function startTicking() {
    clearInterval(ticker);
    tick();
    ticker = setInterval(tick, 1000);
  }
  function stopTicking() {
    clearInterval(ticker);
    ticker = null;
  }

  function leave() {
    stopTicking();
    forgetPhotos();
  }

  // --- the card's home (虛擬健保卡首頁) -------------------------------------------------------
  async function loadHome() {
    const out = await status();
    const { card, application } = out;
    $("[data-vcard-card]").hidden = !card;
    $("[data-vcard-show-qr]").hidden = !card;
    if (card) {
      $("[data-vcard-name]").textContent = card.owner.name;
      $("[data-vcard-id]").textContent = card.owner.masked_id;
      $("[data-vcard-show-qr]").href = `#vcard-qr/${card.owner.id}`;
      photoInto($("[data-vcard-photo]"), card.photo_url);
    }
    const box = $("[data-vcard-application]");
    box.hidden = Boolean(card || !application);
    if (application && !card) {
      box.dataset.state = application.status;
      $("[data-vcard-application-status]").textContent = application.status_label;
      $("[data-vcard-application-date] span").textContent = showDateTime(application.submitted_at);
      $("[data-vcard-pending-note]").hidden = application.status !== "pending";
      $("[data-vcard-rejected]").hidden = application.status !== "rejected";
      $("[data-vcard-reason]").textContent = application.rejection_reason;
    }
    $("[data-vcard-none]").hidden = Boolean(card || application);
  }

  // --- applying (一般申請, 依附眷屬): three steps, then one multipart upload ------------------
  const applyForm = $("[data-form=vcard-apply]");
  const af = applyForm.elements;
  const generalButton = $("[data-apply-next='2']", applyForm);
  const generalLabel = generalButton.textContent;
  let applyingFor; // the household member's id, "" for one's own card

  function applyStep(step) {
    for (const fieldset of applyForm.querySelectorAll("[data-step]")) {
      fieldset.hidden = fieldset.dataset.step !== String(step);
    }
    $(`[data-step="${step}"] legend`, applyForm).scrollIntoView({ block: "nearest" });
  }

  function resetApply() {
    applyForm.reset();
    for (const img of applyForm.querySelectorAll("[data-preview-of]")) {
      if (img.src.startsWith("blob:")) URL.revokeObjectURL(img.src);
      img.removeAttribute("src");
      img.hidden = true;
    }
    $("[data-apply-progress]").hidden = true;
    applyStep(1);
  }

  async function loadApply([memberId = ""]) {
    const out = await status();
    const member = memberId ? out.household.find((m) => String(m.id) === memberId) : null;
    const waiting = member?.application?.status === "pending";
    if (memberId && (!member || member.has_card || waiting)) return go("vcard-household");
    if (!memberId && (out.card || out.application?.status === "pending")) return go("vcard");
    if (applyingFor !== memberId) resetApply(); // what was typed for the same person stays
    applyingFor = memberId;
    $("[data-apply-member]").hidden = !member;
    $("[data-apply-member-name]").textContent = member ? member.name : "";
    $("[data-apply-dependant]").hidden = Boolean(member);
    generalButton.textContent = member ? T.vcard_on_behalf : generalLabel;
    const cardAllowed = member ? member.card_as_document : out.card_as_document;
    $("[data-card-kind]").hidden = !cardAllowed;
    if (!cardAllowed && af.document_kind.value === "nhi_card") af.document_kind.value = "id_card";
  }

  // The first thing missing before `step`: [its step, the field, what to do], or null.
  function applyMissing(step) {
    if (step > 1 && !af.terms.checked) return [1, af.terms, T.vcard_need_terms];
    if (step > 2 && !af.document.files.length) return [2, af.document, T.vcard_need_photos];
    if (step > 2 && !af.portrait.files.length) return [2, af.portrait, T.vcard_need_photos];
    if (step > 3 && !af.contact_phone.value.trim()) return [3, af.contact_phone, T.vcard_need_phone];
    if (step > 3 && !af.email.value.trim()) return [3, af.email, T.vcard_need_email];
    return null;
  }

  function stopAt(missing) {
    applyStep(missing[0]);
    warn(missing[2]);
    missing[1].focus();
  }

  applyForm.addEventListener("click", (event) => {
    const button = event.target.closest("[data-apply-next]");
    if (!button) return;
    const step = Number(button.dataset.applyNext);
    const missing = applyMissing(step);
    if (missing) return stopAt(missing);
    say("");
    applyStep(step);
  });

  // A photo the browser cannot show (HEIC in most) is still sent: the server reads it.
  for (const img of applyForm.querySelectorAll("[data-preview-of]")) {
    img.addEventListener("error", () => {
      img.hidden = true;
    });
  }

  for (const input of applyForm.querySelectorAll("[data-preview]")) {
    input.addEventListener("change", () => {
      const file = input.files[0];
      const url = file ? URL.createObjectURL(file) : null;
      for (const img of applyForm.querySelectorAll(`[data-preview-of="${input.dataset.preview}"]`)) {
        if (img.src.startsWith("blob:")) URL.revokeObjectURL(img.src);
        if (url) img.src = url;
        else img.removeAttribute("src");
        img.hidden = !url;
      }
    });
  }

  // The API's refusals of a photo or of the terms send the person back to that step.
  const STEP_OF = {
    terms_required: 1,
    document_for_age: 2,
    not_image: 2,
    unsupported_format: 2,
    too_large: 2,
    too_many_pixels: 2,
    too_small: 2,
    damaged: 2,
  };

  // fetch() cannot report upload progress; XMLHttpRequest can.
  function upload(path, data, progress, retried = false) {
    const pair = X.tokens();
    return new Promise((resolve, reject) => {
      const request = new XMLHttpRequest();
      request.open("POST", X.API + path);
      request.setRequestHeader("Accept", "application/json");
      if (pair) request.setRequestHeader("Authorization", `Bearer ${pair.access}`);
      request.upload.addEventListener("progress", (event) => {
        if (event.lengthComputable) progress(event.loaded / event.total);
      });
      request.addEventListener("load", () => resolve(request));
      request.addEventListener("error", () => reject(new X.ApiError("network", T.network)));
      request.send(data);
    }).then(async (request) => {
      let payload = null;
      try {
        payload = JSON.parse(request.responseText);
      } catch {
        payload = null;
      }
      if (request.status >= 200 && request.status < 300) return payload;
      const error = new X.ApiError(payload?.code || "error", payload?.message || T.failed);
      if (request.status === 401) {
        if (error.code === "token_expired" && !retried && pair && (await X.renew(pair.refresh))) {
          return upload(path, data, progress, true);
        }
        X.saveTokens(null);
        error.signedOut = true;
      }
      throw error;
    });
  }

  applyForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const missing = applyMissing(4);
    if (missing) return stopAt(missing);
    const data = new FormData();
    data.append("document", af.document.files[0]);
    data.append("portrait", af.portrait.files[0]);
    data.append("document_kind", af.document_kind.value);
    data.append("contact_phone", af.contact_phone.value.trim());
    data.append("email", af.email.value.trim());
    data.append("terms", "true");
    if (applyingFor) data.append("member_id", applyingFor);
    const bar = $("[data-apply-progress]");
    await busy(event.submitter, async () => {
      bar.value = 0;
      bar.hidden = false;
      say(T.vcard_uploading);
      let application;
      try {
        application = await upload("vcard/applications", data, (share) => {
          bar.value = Math.round(share * 100);
          say(`${T.vcard_uploading} ${bar.value}%`);
        });
      } catch (error) {
        bar.hidden = true;
        if (STEP_OF[error.code]) applyStep(STEP_OF[error.code]);
        throw error;
      }
      const member = applyingFor;
      resetApply();
      applyingFor = undefined;
      if (member) {
        go("vcard-household", { status: fill(T.vcard_applied_for, { name: application.person.name }) });
      } else {
        go("vcard", { status: T.vcard_applied });
      }
    });
  });

  // --- dependants (眷屬管理, 依附眷屬) ---------------------------------------------------------
  async function loadHousehold() {
    const out = await status();
    const list = $("[data-household]");
    list.replaceChildren();
    if (!out.household.length) list.append(element("li", T.vcard_no_household));
    for (const member of out.household) {
      const application = member.application;
      let state = T.vcard_not_applied;
      if (member.has_card) state = T.vcard_has_card;
      else if (application) state = application.status_label;
      const reason = !member.has_card && application?.status === "rejected"
        ? fill(T.vcard_reason, { reason: application.rejection_reason })
        : "";
      const item = row(member.name, [member.masked_id, state, reason], { "data-member": member.id });
      if (!member.has_card && application?.status !== "pending") {
        const link = element("a", T.vcard_on_behalf, { href: `#vcard-apply/${member.id}`, class: "button" });
        link.setAttribute("aria-label", `${T.vcard_on_behalf} ${member.name}`);
        item.append(link);
      }
      list.append(item);
    }
  }

  // --- the one-time QR code (出示 QR Code) ---------------------------------------------------
  const qrFigure = $("[data-qr]");
  const qrImage = $("[data-qr-image]");
  const qrCountdown = $("[data-qr-countdown]");
  const qrAgain = $("[data-qr-again]");
  let qrOwner = null;

  function clearQr() {
    qrImage.removeAttribute("src");
    delete qrFigure.dataset.token;
    delete qrCountdown.dataset.deadline;
  }

  async function newQr() {
    clearQr();
    const qr = await post(`/cards/${qrOwner}/qr`);
    qrImage.src = qr.qr_svg;
    qrFigure.dataset.token = qr.token; // what the scanner reads, for a clinic's test
    qrFigure.classList.remove("expired");
    qrAgain.hidden = true;
    qrCountdown.dataset.deadline = String(Date.now() + qr.seconds * 1000);
    startTicking();
  }

  qrCountdown.addEventListener("expired", () => {
    clearQr();
    qrCountdown.textContent = mmss(0);
    qrFigure.classList.add("expired");
    qrAgain.hidden = false;
    say(T.vcard_qr_expired);
  });

  qrAgain.addEventListener("click", (event) => busy(event.target, newQr));

  async function loadQr([ownerId]) {
    clearQr();
    const cards = await get("/cards");
    const card = ownerId ? cards.find((c) => String(c.owner.id) === ownerId) : cards[0];
    if (!card) return go("vcard-manage/usable", { alert: T.vcard_not_usable });
    qrOwner = card.owner.id;
    $("[data-qr-name]").textContent = card.owner.name;
    $("[data-qr-id]").textContent = card.owner.masked_id;
    photoInto($("[data-qr-photo]"), card.photo_url);
    await newQr();
  }

  // --- authorisation and management (授權與管理) ---------------------------------------------
  const tabs = Array.from(document.querySelectorAll("[data-tab]"));
  let tab = "granted"; // the tab shown

  function showTab(name, focus = false) {
    tab = name;
    for (const button of tabs) {
      const selected = button.dataset.tab === name;
      button.setAttribute("aria-selected", String(selected));
      button.tabIndex = selected ? 0 : -1;
      if (selected && focus) button.focus();
    }
    for (const panel of document.querySelectorAll("[data-panel]")) {
      panel.hidden = panel.dataset.panel !== name;
    }
  }

  for (const [index, button] of tabs.entries()) {
    button.addEventListener("click", () => showTab(button.dataset.tab));
    button.addEventListener("keydown", (event) => {
      const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
      if (step) showTab(tabs[(index + step + tabs.length) % tabs.length].dataset.tab, true);
    });
  }

  function revokeButton(authorisation, name, asGrantor) {
    const button = element("button", T.vcard_revoke, { type: "button", class: "secondary" });
    button.setAttribute("aria-label", `${T.vcard_revoke} ${name}`);
    button.addEventListener("click", async () => {
      const question = fill(asGrantor ? T.vcard_confirm_revoke : T.vcard_confirm_give_up, { name });
      if (!(await confirmed(question, T.vcard_revoke))) return;
      await busy(button, async () => {
        await post(`/authorisations/${authorisation}/revoke`);
        go(`vcard-manage/${tab}`, { status: T.vcard_revoked });
      });
    });
    return button;
  }

  function answerButtons(authorisation) {
    const agree = element("button", T.vcard_agree, { type: "button" });
    const decline = element("button", T.vcard_decline, { type: "button", class: "secondary" });
    async function answer(button, verb, next, message) {
      await busy(button, async () => {
        await post(`/authorisations/${authorisation.id}/${verb}`);
        go(next, { status: message });
      });
    }
    const household = authorisation.kind === "household";
    agree.addEventListener("click", () => answer(agree, "agree", household ? "vcard-manage/usable" : "vcard-manage/granted",
      household ? T.vcard_agreed : T.vcard_agreed_clinic));
    decline.addEventListener("click", () => answer(decline, "decline", "vcard-manage/waiting", T.vcard_declined));
    return [agree, decline];
  }

  async function loadManage([which]) {
    if (which) showTab(which);
    const [lists, cards] = await Promise.all([get("/authorisations"), get("/cards")]);
    // Opened without a tab: what waits for an answer first, else what I authorised.
    if (!which) showTab(lists.waiting.length ? "waiting" : "granted");
    const live = ["pending", "scheduled", "active"];

    const granted = $("[data-granted]");
    granted.replaceChildren();
    if (!lists.granted.length) granted.append(element("li", T.vcard_none_granted));
    for (const a of lists.granted) {
      const name = a.grantee ? a.grantee.name : a.provider;
      const item = row(name, [`${a.kind_label} · ${a.state_label}`, period(a.starts_at, a.ends_at)],
        { "data-authorisation": a.id, "data-state": a.state });
      if (live.includes(a.state)) item.append(revokeButton(a.id, name, true));
      granted.append(item);
    }

    const usable = $("[data-usable]");
    usable.replaceChildren();
    for (const card of cards) {
      const item = element("li", null, { "data-owner": card.owner.id });
      const link = element("a", null, { href: `#vcard-qr/${card.owner.id}`, class: "card-link" });
      link.append(element("strong", card.owner.name));
      const until = card.until ? fill(T.vcard_until, { date: moment(card.until, true) }) : "";
      for (const line of [card.owner.masked_id, card.basis_label, until].filter(Boolean)) {
        link.append(element("span", line, { class: "meta" }));
      }
      item.append(link);
      if (card.authorisation_id) item.append(revokeButton(card.authorisation_id, card.owner.name, false));
      usable.append(item);
    }
    for (const a of lists.received.filter((r) => r.state === "scheduled")) {
      usable.append(row(a.grantor.name, [`${a.kind_label} · ${a.state_label}`, period(a.starts_at, a.ends_at)]));
    }
    if (!usable.children.length) usable.append(element("li", T.vcard_none_usable));

    const waiting = $("[data-waiting]");
    waiting.replaceChildren();
    if (!lists.waiting.length) waiting.append(element("li", T.vcard_none_waiting));
    for (const a of lists.waiting) {
      const from = a.kind === "clinic" ? a.provider : a.grantor.name;
      const item = row(from, [a.kind_label, period(a.starts_at, a.ends_at)], { "data-authorisation": a.id });
      const left = element("span", "", { class: "meta countdown", "data-label": T.vcard_time_left });
      left.dataset.deadline = String(new Date(a.consent_by).getTime());
      const buttons = answerButtons(a);
      left.addEventListener("expired", () => {
        left.textContent = T.vcard_lapsed;
        buttons.forEach((button) => button.remove());
      });
      item.append(left, ...buttons);
      waiting.append(item);
    }
    const count = $("[data-waiting-count]");
    count.textContent = String(lists.waiting.length);
    count.hidden = !lists.waiting.length;
    startTicking();
  }

  // --- a new authorisation (新增授權對象: 特定對象 or 同一健保戶) -------------------------------
  const authoriseForm = $("[data-form=vcard-authorise]");
  const au = authoriseForm.elements;

  function authoriseStep(step) {
    for (const fieldset of authoriseForm.querySelectorAll("[data-step]")) {
      fieldset.hidden = fieldset.dataset.step !== String(step);
    }
    $(`[data-step="${step}"] input`, authoriseForm).focus();
  }

  function showKind() {
    for (const part of authoriseForm.querySelectorAll("[data-kind]")) {
      part.hidden = part.dataset.kind !== au.kind.value;
    }
  }
  authoriseForm.addEventListener("change", (event) => {
    if (event.target.name === "kind") showKind();
  });

  async function loadAuthorise() {
    authoriseForm.hidden = false;
    $("[data-authorised]").hidden = true;
    au.password.value = "";
    authoriseStep(1);
    const out = await status();
    if (!out.card) return go("vcard", { alert: T.vcard_need_card });
    const members = $("[data-members]");
    const chosen = members.value;
    members.replaceChildren(...out.household.map((m) => element("option", `${m.name} ${m.masked_id}`, { value: m.id })));
    if (chosen) members.value = chosen;
    $("input[value=household]", authoriseForm).disabled = !out.household.length;
    au.starts_on.min = au.ends_on.min = today();
    if (!au.starts_on.value) au.starts_on.value = today();
    showKind();
  }

  function authoriseMissing() {
    if (au.kind.value === "specific" && !(au.national_id.value.trim() && au.name.value.trim())) {
      return [au.national_id.value.trim() ? au.name : au.national_id, T.vcard_need_grantee];
    }
    if (au.kind.value === "household" && !au.member_id.value) return [au.member_id, T.vcard_need_member];
    if (!au.starts_on.value) return [au.starts_on, T.vcard_need_dates];
    if (!au.ends_on.value) return [au.ends_on, T.vcard_need_dates];
    return null;
  }

  $("[data-authorise-next]").addEventListener("click", () => {
    const missing = authoriseMissing();
    if (missing) {
      warn(missing[1]);
      return missing[0].focus();
    }
    say("");
    authoriseStep(2);
  });
  $("[data-authorise-back]").addEventListener("click", () => authoriseStep(1));

  authoriseForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (authoriseMissing()) return authoriseStep(1);
    if (!au.password.value) {
      warn(T.need_password);
      return au.password.focus();
    }
    const specific = au.kind.value === "specific";
    const data = {
      kind: au.kind.value,
      starts_on: au.starts_on.value,
      ends_on: au.ends_on.value,
      password: au.password.value,
      ...(specific
        ? { national_id: au.national_id.value.trim().toUpperCase(), name: au.name.value.trim() }
        : { member_id: Number(au.member_id.value) }),
    };
    await busy(event.submitter, async () => {
      let out;
      try {
        out = await post("/authorisations", data);
      } catch (error) {
        au.password.value = "";
        if (!["password_again", "locked"].includes(error.code)) authoriseStep(1);
        throw error;
      } finally {
        au.password.value = "";
      }
      authoriseForm.reset();
      if (!out.code) {
        const name = out.authorisation.grantee.name;
        return go("vcard-manage/granted", { status: fill(T.vcard_authorised_household, { name }) });
      }
      // 產生授權 QR CODE 與授權碼: shown once, for the person to scan or type.
      authoriseForm.hidden = true;
      $("[data-authorised]").hidden = false;
      $("[data-authorised-qr]").src = out.code_qr_svg;
      $("[data-authorised-code]").textContent = out.code;
      $("[data-authorised-until]").textContent = showDateTime(out.authorisation.consent_by);
      say(T.vcard_authorised_specific);
    });
  });

  function leaveAuthorise() {
    $("[data-authorised-qr]").removeAttribute("src");
    $("[data-authorised-code]").textContent = "";
    leave();
  }

  // --- getting an authorisation (取得授權): scan or type the code ---------------------------
  const claimForm = $("[data-form=vcard-claim]");

  function claimCodeFrom(text) {
    const raw = text.trim().startsWith(CLAIM_PREFIX) ? text.trim().slice(CLAIM_PREFIX.length) : text;
    const code = raw.replace(/[\s-]/g, "").toUpperCase();
    return /^[0-9A-Z]{8}$/.test(code) ? code : null;
  }

  async function claim(code, control) {
    await busy(control, async () => {
      const authorisation = await post("/authorisations/claim", { code });
      claimForm.reset();
      // 授權成功，手機顯示授權人的 QR code: straight to it when the period has begun.
      if (authorisation.state === "active") {
        go(`vcard-qr/${authorisation.grantor.id}`, { status: T.vcard_claimed });
      } else {
        go("vcard-manage/usable", { status: T.vcard_claimed_later });
      }
    });
  }

  claimForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const code = claimCodeFrom(claimForm.elements.code.value);
    if (!code) {
      warn(T.vcard_code_format);
      return claimForm.elements.code.focus();
    }
    claim(code, event.submitter);
  });

  const claimCodeIn = (text) => (text && text.startsWith(CLAIM_PREFIX) ? claimCodeFrom(text) : null);
  const claimCamera = X.qrScanner($("[data-claim-camera]"), $("[data-claim-video]"), (text) => {
    const code = claimCodeIn(text);
    if (code) claim(code, null);
    return Boolean(code);
  });
  $("[data-claim-scan]").addEventListener("click", claimCamera.start);
  $("[data-claim-stop]").addEventListener("click", () => {
    claimCamera.stop();
    say("");
  });
  $("[data-claim-photo]").addEventListener("change", async (event) => {
    const file = event.target.files[0];
    if (!file) return;
    const code = claimCodeIn(await X.qrInPhoto(file));
    event.target.value = "";
    if (code) claim(code, null);
    else warn(T.vcard_claim_qr_none);
  });

  // --- where it is accepted (哪些院所可以用): public --------------------------------------------
  const sitesForm = $("[data-form=vcard-sites]");
  let choicesFilled = false;

  function fillChoices(select, choices, key) {
    select.append(...choices.map((choice) => element("option", choice[key], { value: choice.code })));
  }

  function siteRow(site) {
    const item = row(site.name, [[site.county, site.township].filter(Boolean).join(" "), site.address]);
    if (site.phone) {
      const digits = site.phone.replace(/[^\d+]/g, "");
      item.append(element("a", site.phone, { href: `tel:${digits}`, class: "tel", translate: "no" }));
    }
    item.append(element("span", site.services.join("、"), { class: "services" }));
    return item;
  }

  async function searchSites() {
    const query = new URLSearchParams();
    for (const name of ["county", "service", "q"]) {
      const value = sitesForm.elements[name].value.trim();
      if (value) query.set(name, value);
    }
    const out = await X.call("GET", `vcard/sites?${query}`);
    if (!choicesFilled) {
      fillChoices(sitesForm.elements.county, out.counties, "name");
      fillChoices(sitesForm.elements.service, out.services, "label");
      choicesFilled = true;
    }
    const list = $("[data-sites]");
    list.replaceChildren(...out.results.map(siteRow));
    let count = fill(T.vcard_sites_count, { count: out.count });
    if (!out.count) count = T.vcard_sites_none;
    else if (out.count > out.results.length) count += ` ${fill(T.vcard_sites_more, { shown: out.results.length })}`;
    $("[data-sites-count]").textContent = count;
  }

  sitesForm.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(event.submitter, searchSites);
  });

  // --- the screens ----------------------------------------------------------------------------
  const up = (name) => () => name;
  X.screen("vcard", { signedIn: true, load: loadHome, leave });
  X.screen("vcard-apply", {
    signedIn: true, load: loadApply, leave, parent: ([member]) => (member ? "vcard-household" : "vcard"),
  });
  X.screen("vcard-household", { signedIn: true, load: loadHousehold, leave, parent: up("vcard") });
  X.screen("vcard-qr", {
    signedIn: true, load: loadQr,
    leave: () => {
      clearQr();
      leave();
    },
    parent: ([owner]) => (owner && String(me) !== owner ? "vcard-manage/usable" : "vcard"),
  });
  X.screen("vcard-manage", { signedIn: true, load: loadManage, leave, parent: up("vcard") });
  X.screen("vcard-authorise", { signedIn: true, load: loadAuthorise, leave: leaveAuthorise, parent: up("vcard-manage") });
  X.screen("vcard-claim", { signedIn: true, leave, parent: up("vcard-manage") });
  X.screen("vcard-sites", {
    load: () => (choicesFilled ? null : searchSites()),
    leave,
    parent: () => (X.tokens() ? "vcard" : "home"),
  });
})();
