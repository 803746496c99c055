// NHI Express: 行動櫃檯 (the mobile counter, seed 000) on /api/v1/counter/: the personal
// e-services of the website with the app's sign-in — NHI card applications and the lost-card
// report, certificates, premiums and the mailing address. The rules are the server's (the
// website's forms and services); this script shows their answers. Built on app.js
// (window.Express); holds no text either.
(() => {
  "use strict";

  const X = window.Express;
  const { T, $, busy, say, warn, go, element, showDate, showDateTime } = X;
  const AUTH = { auth: true };
  const get = (path) => X.call("GET", `counter/${path}`, undefined, AUTH);
  const post = (path, data) => X.call("POST", `counter/${path}`, data ?? {}, AUTH);
  const fill = (text, values) => text.replace(/%\((\w+)\)s/g, (_, key) => values[key] ?? "");
  const money = (amount) => Number(amount).toLocaleString("en-US");

  // A confirmation in the app's own words (the browser's confirm() speaks the phone's).
  // The dialog is vcard.js's too: its "no" button's words are put back on closing.
  const dialog = $("[data-confirm]");
  function confirmed(text, yes, no) {
    const noButton = dialog.querySelector("button[value=no]");
    const before = noButton.textContent;
    $("[data-confirm-text]").textContent = text;
    $("[data-confirm-yes]").textContent = yes;
    noButton.textContent = no;
    dialog.returnValue = "";
    dialog.showModal();
    return new Promise((resolve) => {
      dialog.addEventListener("close", () => {
        noButton.textContent = before;
        resolve(dialog.returnValue === "yes");
      }, { once: true });
    });
  }

  function row(title, lines, attributes = {}) {
    const item = element("li", null, attributes);
    item.append(element("strong", title));
    for (const line of lines.filter(Boolean)) item.append(element("span", line, { class: "meta" }));
    return item;
  }

  // A file from the API (a certificate, a payment slip): fetched with the token, then saved.
  async function download(path, name, retried = false) {
    const pair = X.tokens();
    let response;
    try {
      response = await fetch(X.API + path, {
        headers: { Authorization: `Bearer ${pair?.access}` },
        cache: "no-store",
      });
    } catch {
      throw new X.ApiError("network", T.network);
    }
    if (response.status === 401 && !retried && pair && (await X.renew(pair.refresh))) {
      return download(path, name, true);
    }
    if (!response.ok) {
      const payload = await response.json().catch(() => null);
      throw new X.ApiError(payload?.code || "error", payload?.message || T.failed);
    }
    const url = URL.createObjectURL(await response.blob());
    const link = element("a", null, { href: url, download: name });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  }

  // multipart/form-data with the token (the ID photo); refusals as X.call gives them.
  async function upload(path, data, retried = false) {
    const pair = X.tokens();
    let response;
    try {
      response = await fetch(X.API + path, {
        method: "POST",
        headers: { Accept: "application/json", Authorization: `Bearer ${pair?.access}` },
        body: data,
        cache: "no-store",
      });
    } catch {
      throw new X.ApiError("network", T.network);
    }
    const payload = await response.json().catch(() => null);
    if (response.ok) return payload;
    const error = new X.ApiError(payload?.code || "error", payload?.message || T.failed);
    if (response.status === 401) {
      if (error.code === "token_expired" && !retried && pair && (await X.renew(pair.refresh))) {
        return upload(path, data, true);
      }
      X.saveTokens(null);
      error.signedOut = true;
    }
    throw error;
  }

  function radios(box, name, choices, checked) {
    box.replaceChildren();
    for (const choice of choices) {
      const input = element("input", null, { type: "radio", name, value: choice.value });
      input.checked = choice.value === checked;
      const label = element("label", null, { class: "check" });
      label.append(input, document.createTextNode(choice.label));
      box.append(label);
    }
  }

  function options(select, choices, chosen = "", empty = T.counter_choose) {
    select.replaceChildren(element("option", empty, { value: "" }));
    for (const choice of choices) {
      const option = element("option", choice.label, { value: choice.value });
      option.selected = String(choice.value) === String(chosen);
      select.append(option);
    }
  }

  // --- NHI cards (申辦健保卡作業) -------------------------------------------------------------
  let cards = null; // the latest GET counter/cards

  async function loadCards() {
    cards = await get("cards");
    const valid = cards.valid_card;
    $("[data-counter-valid-card]").textContent = valid
      ? `${valid.number} · ${valid.status_label} · ${fill(T.counter_issued_on, { date: showDate(valid.issued_on) })}`
      : T.counter_no_card;
    $("[data-counter-report]").hidden = !valid;
    const applications = $("[data-counter-applications]");
    applications.replaceChildren();
    if (!cards.applications.length) applications.append(element("li", T.counter_no_applications));
    for (const a of cards.applications) {
      applications.append(row(`${a.reason_label} · ${a.status_label}`, [
        fill(T.counter_submitted_on, { date: showDateTime(a.submitted_at) }),
        a.fee ? fill(T.counter_fee, { fee: a.fee }) : "",
        a.delivery_label,
        a.rejection_reason,
      ], { "data-application": a.id }));
    }
    const list = $("[data-counter-cards]");
    list.replaceChildren();
    if (!cards.cards.length) list.append(element("li", T.counter_no_cards));
    for (const c of cards.cards) {
      list.append(row(c.number, [c.status_label, fill(T.counter_issued_on, { date: showDate(c.issued_on) })],
        { "data-card": c.status }));
    }
  }

  // --- the lost-card report (健保卡掛失): ticked, the password again, confirmed ---------------
  const lostForm = $("[data-form=counter-lost]");

  async function loadLost() {
    await loadCards();
    if (!cards.valid_card) {
      go("counter-cards", { alert: T.counter_no_card });
      return;
    }
    $("[data-counter-lost-card]").textContent = cards.valid_card.number;
  }

  lostForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const f = lostForm.elements;
    if (!f.confirm.checked) {
      warn(T.counter_need_confirm);
      return f.confirm.focus();
    }
    if (!f.password.value) {
      warn(T.counter_need_password);
      return f.password.focus();
    }
    const card = cards?.valid_card?.number || "";
    if (!(await confirmed(fill(T.counter_confirm_lost, { card }), T.counter_confirm_lost_yes, T.counter_confirm_lost_no))) return;
    await busy(event.submitter, async () => {
      try {
        const out = await post("cards/lost", { confirm: true, password: f.password.value });
        lostForm.reset();
        go("counter-apply/lost", { status: out.message });
      } finally {
        f.password.value = "";
      }
    });
  });

  // --- applying for a card (申請健保卡) ------------------------------------------------------
  const applyForm = $("[data-form=counter-apply]");
  const preview = $("[data-counter-preview]");

  function feeShown() {
    const reason = applyForm.elements.reason?.value || "";
    const charged = cards?.asks_again.includes(reason);
    const fee = cards?.reasons.find((r) => r.value === reason)?.fee || 0;
    $("[data-counter-fee]").hidden = !charged;
    $("[data-counter-fee-text]").textContent = fill(T.counter_fee_note, { fee });
    const pickup = applyForm.elements.delivery?.value === "pickup";
    $("[data-counter-office]").hidden = !pickup;
  }

  async function loadApply([reason]) {
    await loadCards();
    applyForm.reset();
    preview.hidden = true;
    radios($("[data-counter-reasons]"), "reason", cards.reasons, reason || "");
    radios($("[data-counter-deliveries]"), "delivery", cards.deliveries, "post");
    options(applyForm.elements.office, cards.offices);
    options(applyForm.elements.bank_code, cards.banks);
    $("[data-counter-postal]").textContent = cards.postal_address
      ? fill(T.counter_posted_to, { address: cards.postal_address })
      : "";
    $("[data-counter-progress]").hidden = true;
    feeShown();
  }

  applyForm.addEventListener("change", (event) => {
    feeShown();
    if (event.target.name === "photo") {
      const file = event.target.files[0];
      if (preview.src) URL.revokeObjectURL(preview.src);
      preview.hidden = !file;
      if (file) preview.src = URL.createObjectURL(file);
    }
  });

  applyForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!applyForm.elements.photo.files[0]) return warn(T.counter_need_photo);
    const data = new FormData(applyForm);
    await busy(event.submitter, async () => {
      try {
        await upload("counter/cards/applications", data);
      } finally {
        applyForm.elements.password.value = "";
      }
      if (preview.src) URL.revokeObjectURL(preview.src);
      go("counter-cards", { status: T.counter_applied });
    });
  });

  // --- certificates (中英文投保證明, 保險費繳納證明) ------------------------------------------
  async function loadCertificates() {
    const out = await get("certificates");
    for (const box of document.querySelectorAll("[data-counter-languages]")) {
      radios(box, "language", out.languages, out.languages[0]?.value);
    }
    const premiums = $("[data-form=counter-premiums]");
    options(premiums.elements.year, out.premium_years, out.default_year);
    $("[data-counter-premiums-fields]").hidden = !out.premium_years.length;
    const refusal = $("[data-counter-premiums-refusal]");
    refusal.hidden = !out.premiums_refusal;
    refusal.textContent = out.premiums_refusal;
    const list = $("[data-counter-issued]");
    list.replaceChildren();
    for (const c of out.issued) list.append(certificateRow(c));
    // The issue buttons wait for the language choices: a tap before would send none.
    for (const button of document.querySelectorAll("[data-counter-issue]")) button.disabled = false;
  }

  function certificateRow(c) {
    const item = row(c.kind_label, [
      showDateTime(c.issued_at),
      fill(T.counter_valid_until, { date: showDate(c.valid_until) }),
      c.code,
    ], { "data-certificate": c.id });
    const button = element("button", T.counter_download, { type: "button", class: "secondary" });
    button.addEventListener("click", () =>
      busy(button, () => download(`counter/certificates/${c.id}/pdf`, c.file_name)));
    item.append(button);
    return item;
  }

  async function issue(form, path, data, control) {
    await busy(control, async () => {
      const c = await post(path, data);
      await download(`counter/certificates/${c.id}/pdf`, c.file_name);
      await loadCertificates();
      say(fill(T.counter_issued, { name: c.file_name }));
    });
  }

  $("[data-form=counter-insurance]").addEventListener("submit", (event) => {
    event.preventDefault();
    const f = event.target.elements;
    issue(event.target, "certificates/insurance",
      { language: f.language.value, with_dependants: f.with_dependants.checked }, event.submitter);
  });

  $("[data-form=counter-premiums]").addEventListener("submit", (event) => {
    event.preventDefault();
    const f = event.target.elements;
    issue(event.target, "certificates/premiums",
      { year: Number(f.year.value), language: f.language.value }, event.submitter);
  });

  // --- premiums (保費查詢) -----------------------------------------------------------------
  const month = (iso) => showDate(iso).slice(0, -3); // 115/05

  async function loadPremiums() {
    const out = await get("premiums");
    const totals = $("[data-counter-totals]");
    totals.replaceChildren();
    const pairs = [
      [T.counter_total, fill(T.counter_amount, { amount: money(out.total) })],
      [T.counter_overdue_total, fill(T.counter_amount, { amount: money(out.overdue_total) })],
    ];
    if (out.latest) {
      pairs.push([T.counter_latest, `${month(out.latest.month)} · ${fill(T.counter_amount, { amount: money(out.latest.amount) })}`]);
    }
    for (const [label, value] of pairs) totals.append(element("dt", label), element("dd", value));
    const unpaid = $("[data-counter-unpaid]");
    unpaid.replaceChildren();
    if (!out.unpaid.length) unpaid.append(element("li", T.counter_nothing_owed));
    for (const bill of out.unpaid) {
      const item = row(fill(T.counter_month, { month: month(bill.month) }), [
        fill(T.counter_owed, { amount: money(bill.owed) }),
        fill(T.counter_due, { date: showDate(bill.due_date) }),
        bill.overdue ? T.counter_overdue : "",
        bill.in_plan ? T.counter_in_plan : "",
      ], { "data-bill": bill.id });
      if (!bill.in_plan) {
        const button = element("button", T.counter_slip, { type: "button", class: "secondary" });
        button.addEventListener("click", () => busy(button, () =>
          download(`counter/premiums/bills/${bill.id}/slip`, `slip_${bill.month.slice(0, 7)}.pdf`)));
        item.append(button);
      }
      unpaid.append(item);
    }
    $("[data-counter-payments-title]").textContent = out.year
      ? fill(T.counter_payments_of, { year: out.year }) : $("[data-counter-payments-title]").textContent;
    const payments = $("[data-counter-payments]");
    payments.replaceChildren();
    if (!out.payments.length) payments.append(element("li", T.counter_no_payments));
    for (const p of out.payments) {
      payments.append(row(fill(T.counter_amount, { amount: money(p.amount) }), [
        showDate(p.paid_on),
        p.month ? fill(T.counter_month, { month: month(p.month) }) : "",
      ]));
    }
  }

  // --- the mailing address (通訊地址變更) -----------------------------------------------------
  const addressForm = $("[data-form=counter-address]");

  async function places(query) {
    const response = await fetch(`${addressForm.dataset.divisions}?${query}`, { cache: "no-store" });
    if (!response.ok) throw new X.ApiError("network", T.network);
    return (await response.json()).options.map(([value, label]) => ({ value, label }));
  }

  function showAddress(out) {
    $("[data-counter-registered]").textContent = out.registered || "";
    $("[data-counter-mailing]").textContent = out.mailing || T.counter_registered_only;
    $("[data-counter-use-registered]").hidden = !out.mailing;
  }

  async function loadAddress() {
    const out = await get("address");
    showAddress(out);
    addressForm.reset();
    options(addressForm.elements.county, out.counties);
    options(addressForm.elements.township, []);
    options(addressForm.elements.village, []);
  }

  addressForm.elements.county.addEventListener("change", (event) => busy(null, async () => {
    const county = event.target.value;
    options(addressForm.elements.township, county ? await places(`county=${encodeURIComponent(county)}`) : []);
    options(addressForm.elements.village, []);
  }));
  addressForm.elements.township.addEventListener("change", (event) => busy(null, async () => {
    const township = event.target.value;
    options(addressForm.elements.village, township ? await places(`township=${encodeURIComponent(township)}`) : []);
  }));

  addressForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const f = addressForm.elements;
    const neighbourhood = f.neighbourhood.value.trim();
    await busy(event.submitter, async () => {
      const out = await post("address", {
        county: f.county.value,
        township: f.township.value,
        village: f.village.value,
        // Not a number: sent as typed would be refused by the document; 0 gets the form's words.
        neighbourhood: neighbourhood ? (/^\d+$/.test(neighbourhood) ? Number(neighbourhood) : 0) : null,
        street_address: f.street_address.value,
      });
      showAddress(out);
      addressForm.reset();
      say(T.counter_address_changed);
    });
  });

  $("[data-counter-use-registered]").addEventListener("click", (event) => busy(event.target, async () => {
    showAddress(await post("address/registered"));
    say(T.counter_address_registered);
  }));

  // --- the screens --------------------------------------------------------------------------
  const screens = {
    counter: { load: null, parent: () => "home" },
    "counter-cards": { load: loadCards },
    "counter-lost": { load: loadLost, parent: () => "counter-cards" },
    "counter-apply": { load: loadApply, parent: () => "counter-cards" },
    "counter-certificates": { load: loadCertificates },
    "counter-premiums": { load: loadPremiums },
    "counter-address": { load: loadAddress },
  };
  for (const [name, spec] of Object.entries(screens)) {
    X.screen(name, { signedIn: true, load: spec.load, parent: spec.parent || (() => "counter") });
  }
})();
