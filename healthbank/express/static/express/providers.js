// NHI Express: 院所查詢 (provider search, with providers near the phone) and 急症處理 (the
// nearest emergency hospitals with their emergency rooms' load, a 119 button and first aid),
// on /api/v1/providers/, /api/v1/emergency and /api/v1/first-aid. Public: no sign-in.
// The phone's location is asked for only when the person taps a "near me" button, sent in a
// POST body for that one search, and not kept here either. Built on app.js (window.Express).
(() => {
  "use strict";

  const X = window.Express;
  const { $, busy, say, warn, element } = X;
  const texts = Object.fromEntries(
    Array.from(document.querySelectorAll("[data-providers-texts] [data-text]"), (n) => [n.dataset.text, n.textContent])
  );
  // "{count} …" strings from the template, filled here.
  const fill = (text, values) => text.replace(/\{(\w+)\}/g, (_, key) => values[key] ?? "");
  const IOS = /iPhone|iPad|iPod/.test(navigator.userAgent);

  // --- the phone's position, only when asked ------------------------------------------------
  class NoPosition extends Error {}

  function position() {
    return new Promise((resolve, reject) => {
      if (!navigator.geolocation) return reject(new NoPosition(texts.no_location));
      navigator.geolocation.getCurrentPosition(
        (found) => resolve({ latitude: found.coords.latitude, longitude: found.coords.longitude }),
        (error) => reject(new NoPosition(error.code === 1 ? texts.location_denied : texts.no_location)),
        { enableHighAccuracy: false, timeout: 15000, maximumAge: 60000 }
      );
    });
  }

  // Runs a search that needs the position: the refusal of the phone is said like the API's.
  function nearby(control, work) {
    return busy(control, async () => {
      say(texts.locating);
      let here;
      try {
        here = await position();
      } catch (error) {
        if (!(error instanceof NoPosition)) throw error;
        warn(error.message);
        return;
      }
      await work(here);
    });
  }

  // --- how a provider reads -------------------------------------------------------------------
  function distance(km) {
    if (km === null || km === undefined) return "";
    return km < 1 ? fill(texts.metres, { m: Math.round(km * 100) * 10 }) : fill(texts.km, { km: km.toFixed(1) });
  }

  // The phone's own maps app: Apple Maps on iPhones, a geo: URI elsewhere (Android's maps apps).
  function mapLink(provider) {
    if (provider.latitude === null || provider.longitude === null) return null;
    const at = `${provider.latitude},${provider.longitude}`;
    const href = IOS
      ? `https://maps.apple.com/?ll=${at}&q=${encodeURIComponent(provider.name)}`
      : `geo:${at}?q=${at}(${encodeURIComponent(provider.name)})`;
    return element("a", texts.map, { href, class: "map", "data-map": "" });
  }

  function providerRow(provider) {
    const item = element("li");
    const title = element("strong", provider.name);
    item.append(title);
    const kind = provider.emergency_level_label || provider.kind_label;
    const where = [provider.county, provider.township].filter(Boolean).join(" ");
    item.append(element("span", [kind, distance(provider.distance_km)].filter(Boolean).join(" · "), { class: "meta", "data-kind": "" }));
    item.append(element("span", [where, provider.address].filter(Boolean).join(" "), { class: "meta" }));
    const marks = [];
    if (provider.open_now) marks.push(texts.open_now);
    if (provider.virtual_card) marks.push(texts.vcard);
    if (marks.length) item.append(element("span", marks.join(" · "), { class: "marks" }));
    if (provider.phone) {
      const digits = provider.phone.replace(/[^\d+]/g, "");
      item.append(element("a", provider.phone, { href: `tel:${digits}`, class: "tel", translate: "no" }));
    }
    const map = mapLink(provider);
    if (map) item.append(map);
    return item;
  }

  // --- 院所查詢 ------------------------------------------------------------------------------
  const form = $("[data-form=providers]");
  let options = null;

  function addOptions(select, choices) {
    select.append(...choices.map((c) => element("option", c.label, { value: c.code })));
  }

  async function loadOptions() {
    if (options) return;
    options = await X.call("GET", "providers/options");
    addOptions(form.elements.kind, options.kinds);
    addOptions(form.elements.department, options.departments);
    addOptions(form.elements.county, options.counties);
    addOptions(form.elements.weekday, options.days);
    addOptions(form.elements.session, options.sessions);
    addOptions($("#emergency-county"), options.counties);
    townships();
  }

  function townships() {
    const select = form.elements.township;
    const county = form.elements.county.value;
    select.replaceChildren(select.options[0]);
    addOptions(select, options.townships.filter((t) => !county || t.county === county));
  }

  function conditions() {
    const e = form.elements;
    const asked = {
      kinds: e.kind.value ? [e.kind.value] : [],
      department: e.department.value,
      county: e.county.value,
      township: e.township.value,
      q: e.q.value.trim(),
      session: e.session.value,
      virtual_card: e.virtual_card.checked,
    };
    if (e.weekday.value !== "") asked.weekday = Number(e.weekday.value);
    return asked;
  }

  async function search(asked) {
    const out = await X.call("POST", "providers/search", asked);
    $("[data-providers-results]").replaceChildren(...out.results.map(providerRow));
    let count = fill(texts.count, { count: out.count });
    if (!out.count) count = asked.near ? texts.none_near : texts.none;
    else if (out.count > out.results.length) count += ` ${fill(texts.more, { shown: out.results.length })}`;
    $("[data-providers-count]").textContent = count;
    say("");
  }

  form.elements.county.addEventListener("change", townships);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(event.submitter, () => search(conditions()));
  });
  $("[data-providers-near]").addEventListener("click", (event) =>
    nearby(event.currentTarget, (here) => search({ near: here }))
  );
  $("[data-providers-near-filtered]").addEventListener("click", (event) =>
    nearby(event.currentTarget, (here) => search({ ...conditions(), county: "", township: "", near: here }))
  );

  // --- 急症處理 ------------------------------------------------------------------------------
  const clock = new Intl.DateTimeFormat("en-GB", {
    timeZone: document.body.dataset.tz || undefined, hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  });

  function loadRow(load, staleAfter) {
    const box = element("div", null, { class: load?.stale ? "load stale" : "load", "data-load": "" });
    if (!load) {
      box.append(element("p", texts.no_load, { class: "hint" }));
      return box;
    }
    const figures = element("dl", null, { class: "figures" });
    for (const [label, value, key] of [
      [texts.to_be_seen, load.waiting_to_be_seen, "to-be-seen"],
      [texts.for_bed, load.waiting_for_bed, "for-bed"],
      [texts.for_admission, load.waiting_for_admission, "for-admission"],
    ]) {
      const pair = element("div");
      pair.append(element("dt", label), element("dd", String(value), { [`data-${key}`]: "" }));
      figures.append(pair);
    }
    box.append(figures);
    const time = clock.format(new Date(load.reported_at));
    const when = load.minutes_ago < 1 ? fill(texts.reported_now, { time }) : fill(texts.reported, { time, minutes: load.minutes_ago });
    box.append(element("p", when, { class: "hint", "data-reported": "" }));
    if (load.stale) box.append(element("p", fill(texts.stale, { minutes: staleAfter }), { class: "warning", "data-stale": "" }));
    return box;
  }

  async function hospitals(asked) {
    const out = await X.call("POST", "emergency", asked);
    const list = $("[data-emergency-results]");
    list.replaceChildren(
      ...out.hospitals.map((h) => {
        const item = providerRow(h);
        item.append(loadRow(h.load, out.stale_after_minutes));
        return item;
      })
    );
    if (!out.hospitals.length) list.append(element("li", texts.no_hospitals));
    say("");
  }

  let guidesShown = false;
  async function guides() {
    if (guidesShown) return;
    const out = await X.call("GET", "first-aid");
    $("[data-first-aid]").replaceChildren(
      ...out.map((guide) => {
        const box = element("details", null, { class: "guide", "data-guide": guide.slug });
        box.append(element("summary", guide.title));
        const steps = element("ol");
        steps.append(...guide.steps.map((step) => element("li", step)));
        box.append(steps);
        return box;
      })
    );
    guidesShown = true;
  }

  $("[data-emergency-near]").addEventListener("click", (event) =>
    nearby(event.currentTarget, (here) => hospitals({ near: here }))
  );
  $("[data-form=emergency]").addEventListener("submit", (event) => {
    event.preventDefault();
    busy(event.submitter, () => hospitals({ county: event.target.elements.county.value }));
  });

  X.screen("providers", { load: loadOptions, parent: () => "home" });
  X.screen("emergency", { load: () => Promise.all([loadOptions(), guides()]), parent: () => "home" });
})();
