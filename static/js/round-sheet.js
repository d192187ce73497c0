// Round sheet on a phone: one tap per anonymous passage, the person field always at hand,
// material as steppers, every change kept on the phone (localStorage) until the server
// has it. Contract with the server: docs in notes/round-api.md (contacts:round-sheet-send).
// Without this script the Django formset below the sheet still works.
(function () {
  "use strict";

  var PREFIX = "entractes.sheet.";
  var T = {
    anonymous: "Anonyme",
    person: "Personne (code ou surnom)",
    personPlaceholder: "Code ou surnom, puis Entrée",
    add: "Ajouter",
    save: "Enregistrer",
    remove: "Retirer",
    time: "Heure",
    gender: "Genre estimé",
    age: "Âge estimé",
    moreMaterial: "+ matériel",
    lessMaterial: "− moins de matériel",
    more: "Plus : canal, CAARUD, prestations, thèmes, note",
    channel: "Canal",
    caarud: "Usage de drogues (CAARUD)",
    services: "Prestations",
    themes: "Thèmes",
    note: "Note (courte, rien de médical)",
    saved: "✓ Enregistré",
    queued: "À envoyer",
    choose: "Plusieurs personnes correspondent : choisissez.",
    create: "Créer la personne « %s »",
    birthYear: "Année de naissance",
    offline: "En attente de réseau — %n contact(s) gardés sur ce téléphone",
    expired: "Votre session a expiré : reconnectez-vous, la feuille reste sur ce téléphone.",
    relogin: "Se reconnecter",
    csrf: "Le serveur a refusé l'envoi (jeton de sécurité) : réessayez, la feuille reste sur ce téléphone.",
    failed: "Le serveur n'a pas pu enregistrer (erreur %s) : la feuille reste sur ce téléphone.",
    count: "%s enregistré(s), %t à enregistrer",
    empty: "Touchez un bouton « Anonyme » ou saisissez une personne pour ajouter un contact.",
    offlineShell: "Hors ligne : feuille gardée sur ce téléphone.",
    noSheet: "Aucune feuille gardée sur ce téléphone pour cette session.",
    sending: "Envoi…",
    done: "Voir la session",
    services: "Prestations sans personne (cafés, repas, douches…)",
    knownPerson: "Personne connue",
    minus: "Moins",
    plus: "Plus",
  };
  // The four big buttons, and the row's four age bands (contract values).
  var QUICK_GENDERS = [["female", "femme"], ["male", "homme"], ["trans_woman", "trans"], ["unknown", "?"]];
  var AGES = [["minor", "mineur·e"], ["young_adult", "18-20"], ["adult", "adulte"], ["age_unknown", "?"]];
  var BATCH = 50;

  var app = document.getElementById("sheet-app");
  var fallback = document.getElementById("sheet-fallback");
  if (!app) { return; }

  // ---- The configuration: from the page, or (offline shell) from the stored sheet ----
  var configNode = document.getElementById("sheet-config");
  var config = configNode ? JSON.parse(configNode.textContent) : null;
  var key;
  var sheet;

  function readStored(storageKey) {
    try {
      return JSON.parse(window.localStorage.getItem(storageKey) || "null");
    } catch (error) {
      return null;
    }
  }

  function expired(stored, maxAge) {
    return !stored || !stored.started || Date.now() - stored.started > maxAge * 1000;
  }

  function sheetKeys() {
    var keys = [];
    for (var i = 0; i < window.localStorage.length; i += 1) {
      var name = window.localStorage.key(i);
      if (name && name.indexOf(PREFIX) === 0) { keys.push(name); }
    }
    return keys;
  }

  function clearAll() {
    sheetKeys().forEach(function (name) { window.localStorage.removeItem(name); });
  }

  if (config) {
    key = config.storage_key;
    // Another user's sheets and sheets older than a login may last are dropped.
    sheetKeys().forEach(function (name) {
      var stored = readStored(name);
      if (!stored || stored.owner !== config.user || expired(stored, config.max_age)) {
        window.localStorage.removeItem(name);
      }
    });
    sheet = readStored(key);
    if (!sheet || sheet.session !== config.session) {
      sheet = { owner: config.user, session: config.session, started: Date.now(), rows: [] };
    }
    sheet.config = config;
  } else {
    // The offline shell (served by the service worker): the sheet of this session kept here.
    var match = window.location.pathname.match(/\/sessions\/(\d+)\/feuille\/$/);
    var session = match ? parseInt(match[1], 10) : null;
    sheetKeys().forEach(function (name) {
      var stored = readStored(name);
      if (stored && stored.session === session && stored.config &&
          !expired(stored, stored.config.max_age) && (!sheet || stored.started > sheet.started)) {
        sheet = stored;
        key = name;
      }
    });
    if (!sheet) {
      app.hidden = false;
      app.textContent = T.noSheet;
      return;
    }
    config = sheet.config;
  }
  Object.assign(T, config.strings || {});
  var materials = config.materials || [];
  var others = config.other_materials || [];
  var labels = {};
  var plurals = {};
  materials.concat(others).forEach(function (m) { labels[m.slug] = m.label; plurals[m.slug] = m.plural || m.label; });
  // A label inside a sentence: first letter lowered, unless it starts an acronym.
  function sentenceCase(label) {
    return label.length > 1 && label[1] === label[1].toUpperCase() && label[1] !== label[1].toLowerCase()
      ? label : label.charAt(0).toLowerCase() + label.slice(1);
  }

  // A saved row keeps on the phone only what shows it greyed: no code, nickname or note.
  function forgetSaved(row) {
    if (row.status !== "saved") { return row; }
    return {
      device_id: row.device_id, status: "saved", contact: row.contact, time: row.time,
      known: row.known || !!(row.person || row.person_id), person: "", person_label: "",
      person_id: null, new_person: null, note: "",
      anonymous_gender: row.anonymous_gender, anonymous_age_category: row.anonymous_age_category,
      channel: row.channel, caarud: row.caarud, material: row.material,
      services: row.services, themes: row.themes, message: "", choices: [], queued: false,
    };
  }

  function store() {
    try {
      var kept = Object.assign({}, sheet, { rows: sheet.rows.map(forgetSaved) });
      window.localStorage.setItem(key, JSON.stringify(kept));
    } catch (error) {
      // Storage full or refused: the sheet still works, and the server gets it on save.
    }
  }

  // ---- Small helpers ----
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === null || value === undefined || value === false) { return; }
      if (name === "text") { node.textContent = value; }
      else if (name === "className") { node.className = value; }
      else if (value === true) { node.setAttribute(name, ""); }
      else { node.setAttribute(name, value); }
    });
    (children || []).forEach(function (child) {
      if (child) { node.appendChild(typeof child === "string" ? document.createTextNode(child) : child); }
    });
    return node;
  }

  function uuid() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var bytes = window.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function minutes(hhmm) {
    var parts = /^(\d{1,2}):(\d{2})/.exec(hhmm || "");
    return parts ? parseInt(parts[1], 10) * 60 + parseInt(parts[2], 10) : null;
  }

  function hhmm(total) {
    total = ((total % 1440) + 1440) % 1440;
    var h = Math.floor(total / 60);
    var m = total % 60;
    return (h < 10 ? "0" : "") + h + ":" + (m < 10 ? "0" : "") + m;
  }

  // Now, within the session's span when it is known (a night round spans midnight).
  function defaultTime() {
    var date = new Date();
    var now = date.getHours() * 60 + date.getMinutes();
    var start = minutes(config.start);
    var end = minutes(config.end);
    if (start === null || end === null) { return hhmm(now); }
    if (end < start) {
      end += 1440;
      if (now < start && now + 1440 <= end) { now += 1440; }
    }
    if (now >= start && now <= end) { return hhmm(now); }
    var before = now < start ? start - now : start + 1440 - now;
    var after = now > end ? now - end : now + 1440 - end;
    return hhmm(before <= after ? start : end);
  }

  function cookie(name) {
    var found = document.cookie.split(";").map(function (c) { return c.trim(); })
      .filter(function (c) { return c.indexOf(name + "=") === 0; })[0];
    return found ? decodeURIComponent(found.slice(name.length + 1)) : "";
  }

  function isSaved(row) { return row.status === "saved"; }

  function rowById(id) {
    return sheet.rows.filter(function (row) { return row.device_id === id; })[0];
  }

  function newRow(fields) {
    return Object.assign({
      device_id: uuid(),
      added: Date.now(),
      time: defaultTime(),
      person: "",
      person_label: "",
      person_id: null,
      new_person: null,
      anonymous_gender: "",
      anonymous_age_category: "",
      channel: config.channel || "",
      caarud: false,
      material: {},
      services: [],
      themes: [],
      note: "",
      status: "new",
      message: "",
      choices: [],
      queued: false,
      open: false,
    }, fields);
  }

  // ---- The page ----
  var status = el("div", { id: "sheet-status", className: "sheet-status small", role: "status", "aria-live": "polite" });
  var list = el("div", { id: "sheet-list" });
  var personInput = null;
  var personForm = null;
  var options = el("datalist", { id: "sheet-person-options" });
  if (config.can_identify) {
    personInput = el("input", {
      type: "text", id: "sheet-person", name: "q", className: "form-control",
      list: "sheet-person-options", autocomplete: "off", autocapitalize: "off",
      enterkeyhint: "done", placeholder: T.personPlaceholder, "aria-label": T.person,
      "hx-post": config.suggest_url, "hx-trigger": "input changed delay:250ms",
      "hx-target": "#sheet-person-options", "hx-swap": "innerHTML", "hx-params": "q",
    });
    personForm = el("form", { id: "sheet-person-form", className: "d-flex gap-2 mb-2", role: "search" }, [
      personInput, options,
      el("button", { type: "submit", className: "btn btn-outline-primary", text: T.add }),
    ]);
  }
  var quick = el("div", { className: "sheet-quick d-flex gap-1 mb-2", role: "group", "aria-label": T.anonymous },
    [el("span", { className: "sheet-quick-label align-self-center fw-semibold", text: T.anonymous })].concat(
      QUICK_GENDERS.map(function (pair) {
        return el("button", {
          type: "button", className: "btn btn-secondary sheet-big flex-fill", "data-gender": pair[0],
          "aria-label": T.anonymous + " " + pair[1], text: pair[1],
        });
      })));
  var saveButton = el("button", { type: "button", id: "sheet-save", className: "btn btn-primary sheet-big w-100", text: T.save });
  var done = config.detail_url && configNode ?
    el("a", { href: config.detail_url, className: "small text-nowrap", text: T.done }) : null;
  var top = el("div", { className: "d-flex align-items-start gap-2" }, [status, done]);
  status.classList.add("flex-grow-1");
  var bar = el("div", { className: "sheet-bar bg-body border-top pt-2 pb-2" }, [top, personForm, quick, saveButton]);
  app.appendChild(list);
  if (config.services_url && configNode) {
    app.appendChild(el("p", { className: "small mt-2 mb-3" },
      [el("a", { href: config.services_url, text: T.services })]));
  }
  app.appendChild(bar);
  if (fallback) { fallback.hidden = true; }
  app.hidden = false;
  if (!configNode) {
    app.insertBefore(el("p", { className: "alert alert-warning py-2", text: T.offlineShell + " " + (config.title || "") }), list);
  }
  if (window.htmx && personInput) { window.htmx.process(personInput); }
  // What scrolls into view is never left under the buttons at the bottom.
  function padScroll() {
    // The buttons stay put at the bottom of the screen (never moving under the thumb).
    document.documentElement.style.scrollPaddingBottom = (bar.offsetHeight + 8) + "px";
    app.style.paddingBottom = (bar.offsetHeight + 8) + "px";
  }
  padScroll();
  window.addEventListener("resize", padScroll);

  function stepper(row, slug, label) {
    var value = row.material[slug] || "";
    return el("div", { className: "sheet-stepper" }, [
      el("span", { className: "sheet-stepper-label", text: label }),
      el("div", { className: "input-group input-group-sm flex-nowrap" }, [
        el("button", { type: "button", className: "btn btn-outline-secondary sheet-step", "data-action": "dec", "data-material": slug, "aria-label": T.minus + " " + label, text: "−" }),
        el("input", { type: "number", inputmode: "numeric", min: "0", max: "10000", className: "form-control text-center sheet-qty", "data-material": slug, "aria-label": label, value: String(value) }),
        el("button", { type: "button", className: "btn btn-outline-secondary sheet-step", "data-action": "inc", "data-material": slug, "aria-label": T.plus + " " + label, text: "+" }),
      ]),
    ]);
  }

  function checks(row, field, items) {
    return el("fieldset", { className: "col-12" }, [el("legend", { className: "small fw-semibold mb-0", text: T[field] })].concat(
      items.map(function (item) {
        var id = "s-" + row.device_id + "-" + field + "-" + item.slug;
        return el("div", { className: "form-check" }, [
          el("input", { type: "checkbox", className: "form-check-input", id: id, "data-list": field, value: item.slug, checked: row[field].indexOf(item.slug) >= 0 }),
          el("label", { className: "form-check-label small", for: id, text: item.label }),
        ]);
      })));
  }

  function title(row) {
    if (row.known && !row.person && !row.person_id) { return T.knownPerson; }
    if (row.person || row.person_id) {
      return row.person_label || row.person;
    }
    var gender = (config.genders || []).filter(function (g) { return g.slug === row.anonymous_gender; })[0];
    return T.anonymous + (gender ? " · " + gender.label.toLowerCase() : "");
  }

  // A saved row: one greyed line (who, when, what was given), nothing left to change.
  function renderSaved(row, number) {
    var given = Object.keys(row.material || {}).map(function (slug) {
      var n = row.material[slug];
      return n + " " + sentenceCase((n > 1 ? plurals[slug] : labels[slug]) || slug);
    }).join(", ");
    var age = AGES.filter(function (pair) { return pair[0] === row.anonymous_age_category; })[0];
    return el("fieldset", { className: "card sheet-card sheet-saved mb-2", "data-row": true, "data-device-id": row.device_id, "data-status": "saved", disabled: true }, [
      el("div", { className: "card-body px-2 py-1 d-flex gap-2 align-items-baseline" }, [
        el("legend", { className: "h6 mb-0 w-auto me-auto text-break" }, [
          el("span", { className: "row-number", text: String(number) }), " · ", title(row),
          age && !row.person && !row.known ? " · " + age[1] : "",
          given ? el("span", { className: "small fw-normal d-block", text: given }) : null,
        ]),
        el("span", { className: "small sheet-saved-time", text: row.time }),
        el("span", { className: "text-success fw-semibold", title: T.saved, "aria-label": T.saved, text: "✓" }),
      ]),
    ]);
  }

  function renderRow(row, number) {
    var id = row.device_id;
    var saved = isSaved(row);
    if (saved) { return renderSaved(row, number); }
    var body = el("div", { className: "card-body p-2" });
    var head = el("div", { className: "d-flex align-items-center gap-2 mb-1" }, [
      el("legend", { className: "h6 mb-0 w-auto me-auto text-break" }, [
        el("span", { className: "row-number", text: String(number) }), " · ", title(row),
      ]),
      el("input", { type: "time", className: "form-control form-control-sm sheet-time", "data-field": "time", value: row.time, "aria-label": T.time + " " + number }),
      saved ? el("span", { className: "text-success fw-semibold", text: T.saved }) :
        el("button", { type: "button", className: "btn btn-sm btn-outline-danger", "data-action": "remove", "aria-label": T.remove + " " + number, text: "✕" }),
    ]);
    body.appendChild(head);
    if (!saved && row.message) {
      body.appendChild(el("div", { className: "text-danger small mb-1 sheet-message", role: "alert", text: row.message }));
    }
    if (!saved && row.status === "choose") {
      body.appendChild(el("div", { className: "d-flex flex-wrap gap-1 mb-1" }, row.choices.map(function (choice) {
        return el("button", { type: "button", className: "btn btn-sm btn-outline-primary", "data-action": "choose", "data-id": String(choice.id), text: choice.label });
      })));
    }
    if (!saved && row.status === "unknown") {
      var genderSelect = el("select", { className: "form-select form-select-sm", "data-new": "gender", "aria-label": T.gender },
        [el("option", { value: "", text: T.gender })].concat((config.genders || []).map(function (g) {
          return el("option", { value: g.slug, text: g.label });
        })));
      body.appendChild(el("div", { className: "d-flex flex-wrap gap-1 mb-1 sheet-create" }, [
        genderSelect,
        el("input", { type: "number", inputmode: "numeric", min: "1900", max: "2100", className: "form-control form-control-sm sheet-year", "data-new": "birth_year", placeholder: T.birthYear, "aria-label": T.birthYear }),
        el("button", { type: "button", className: "btn btn-sm btn-primary", "data-action": "create", text: T.create.replace("%s", row.person) }),
      ]));
    }
    if (!row.person && !row.person_id && !row.known) {
      var gender = el("select", { className: "form-select form-select-sm w-auto", "data-field": "anonymous_gender", "aria-label": T.gender + " " + number },
        (config.genders || []).map(function (g) {
          return el("option", { value: g.slug, text: g.label, selected: g.slug === row.anonymous_gender });
        }));
      var ages = el("div", { className: "btn-group btn-group-sm flex-wrap", role: "group", "aria-label": T.age + " " + number }, AGES.map(function (pair) {
        var on = row.anonymous_age_category === pair[0];
        return el("button", { type: "button", className: "btn " + (on ? "btn-dark" : "btn-outline-dark"), "data-action": "age", "data-age": pair[0], "aria-pressed": on ? "true" : "false", text: pair[1] });
      }));
      body.appendChild(el("div", { className: "d-flex flex-wrap gap-1 mb-1 align-items-center" }, [gender, ages]));
    }
    var steppers = el("div", { className: "sheet-steppers" });
    materials.forEach(function (m) { steppers.appendChild(stepper(row, m.slug, m.label)); });
    others.forEach(function (m) {
      if (row.material[m.slug]) { steppers.appendChild(stepper(row, m.slug, m.label)); }
    });
    body.appendChild(steppers);
    var rest = others.filter(function (m) { return !row.material[m.slug]; });
    if (rest.length && !saved) {
      body.appendChild(el("button", { type: "button", className: "btn btn-sm btn-link px-0", "data-action": "more", "aria-expanded": row.open ? "true" : "false", text: row.open ? T.lessMaterial : T.moreMaterial }));
      if (row.open) {
        var extra = el("div", { className: "sheet-steppers sheet-more" });
        rest.forEach(function (m) { extra.appendChild(stepper(row, m.slug, m.label)); });
        body.appendChild(extra);
      }
    }
    var channel = el("select", { className: "form-select form-select-sm", "data-field": "channel", "aria-label": T.channel, id: "s-" + id + "-channel" },
      (config.channels || []).map(function (c) {
        return el("option", { value: c.slug, text: c.label, selected: c.slug === row.channel });
      }));
    var details = el("details", { className: "mt-1", open: row.details || row.note ? true : null }, [
      el("summary", { className: "small", text: T.more }),
      el("div", { className: "row g-2 mt-1" }, [
        el("div", { className: "col-12" }, [el("label", { className: "form-label small mb-0", for: "s-" + id + "-channel", text: T.channel }), channel]),
        el("div", { className: "col-12 form-check ms-2" }, [
          el("input", { type: "checkbox", className: "form-check-input", id: "s-" + id + "-caarud", "data-field": "caarud", checked: row.caarud }),
          el("label", { className: "form-check-label small", for: "s-" + id + "-caarud", text: T.caarud }),
        ]),
        (config.services || []).length ? checks(row, "services", config.services) : null,
        (config.themes || []).length ? checks(row, "themes", config.themes) : null,
        el("div", { className: "col-12" }, [
          el("label", { className: "form-label small mb-0", for: "s-" + id + "-note", text: T.note }),
          el("textarea", { className: "form-control form-control-sm", id: "s-" + id + "-note", "data-field": "note", rows: "2", maxlength: "500", text: row.note }),
        ]),
      ]),
    ]);
    body.appendChild(details);
    var classes = "card sheet-card mb-2" + (saved ? " sheet-saved" : "") + (row.message && !saved ? " border-danger" : "");
    return el("fieldset", { className: classes, "data-row": true, "data-device-id": id, "data-status": row.status, disabled: saved }, [body]);
  }

  var notice = null; // {kind: "expired"|"error", text, link}

  function renderStatus() {
    var unsaved = sheet.rows.filter(function (row) { return !isSaved(row); });
    var waiting = unsaved.filter(function (row) { return row.queued; });
    status.textContent = "";
    status.className = "sheet-status small mb-2 flex-grow-1";
    if (notice && notice.kind === "expired") {
      status.className += " alert alert-warning py-1";
      status.appendChild(document.createTextNode(notice.text + " "));
      status.appendChild(el("a", { href: notice.link, className: "alert-link", text: T.relogin }));
      return;
    }
    if (notice) {
      status.className += " alert alert-danger py-1";
      status.textContent = notice.text;
      return;
    }
    if (waiting.length && !navigator.onLine || waiting.length && offline) {
      status.className += " alert alert-warning py-1";
      status.textContent = T.offline.replace("%n", String(waiting.length));
      return;
    }
    if (!sheet.rows.length) {
      status.textContent = T.empty;
      return;
    }
    status.textContent = T.count.replace("%s", String(sheet.rows.length - unsaved.length)).replace("%t", String(unsaved.length));
  }

  function render() {
    list.textContent = "";
    sheet.rows.forEach(function (row, index) { list.appendChild(renderRow(row, index + 1)); });
    renderStatus();
  }

  function replaceRow(row) {
    var index = sheet.rows.indexOf(row);
    var old = list.querySelector('[data-device-id="' + row.device_id + '"]');
    var fresh = renderRow(row, index + 1);
    if (old) { list.replaceChild(fresh, old); } else { list.appendChild(fresh); }
    return fresh;
  }

  function addRow(fields) {
    var row = newRow(fields);
    sheet.rows.push(row);
    store();
    var node = replaceRow(row);
    renderStatus();
    padScroll();
    node.scrollIntoView({ block: "nearest" });
    return row;
  }

  // ---- Typing on the rows: every change is kept at once ----
  function edited(row) {
    if (row.status === "invalid" || row.status === "error") { row.status = "new"; row.message = ""; }
    store();
    renderStatus();
  }

  function setQuantity(row, slug, quantity, input) {
    quantity = Math.max(0, Math.min(10000, quantity || 0));
    if (quantity) { row.material[slug] = quantity; } else { delete row.material[slug]; }
    if (input) { input.value = quantity ? String(quantity) : ""; }
    edited(row);
  }

  list.addEventListener("input", function (event) {
    var target = event.target;
    var node = target.closest("[data-row]");
    var row = node && rowById(node.getAttribute("data-device-id"));
    if (!row || isSaved(row)) { return; }
    if (target.hasAttribute("data-material")) {
      var typed = parseInt(target.value, 10);
      setQuantity(row, target.getAttribute("data-material"), isNaN(typed) ? 0 : typed, null);
    } else if (target.hasAttribute("data-field")) {
      var field = target.getAttribute("data-field");
      row[field] = target.type === "checkbox" ? target.checked : target.value;
      edited(row);
    } else if (target.hasAttribute("data-list")) {
      var name = target.getAttribute("data-list");
      row[name] = row[name].filter(function (slug) { return slug !== target.value; });
      if (target.checked) { row[name].push(target.value); }
      edited(row);
    }
  });
  list.addEventListener("change", function (event) {
    var target = event.target;
    var node = target.closest("[data-row]");
    var row = node && rowById(node.getAttribute("data-device-id"));
    if (!row || isSaved(row)) { return; }
    if (target.getAttribute("data-field") === "anonymous_gender") {
      row.anonymous_gender = target.value;
      edited(row);
      replaceRow(row);
    } else if (target.getAttribute("data-field") === "caarud") {
      row.caarud = target.checked;
      edited(row);
    } else if (target.tagName === "SELECT" && target.hasAttribute("data-field")) {
      row[target.getAttribute("data-field")] = target.value;
      edited(row);
    }
  });
  list.addEventListener("toggle", function (event) {
    var node = event.target.closest("[data-row]");
    var row = node && rowById(node.getAttribute("data-device-id"));
    if (row && event.target.tagName === "DETAILS") { row.details = event.target.open; store(); }
  }, true);

  function step(button) {
    var node = button.closest("[data-row]");
    var row = node && rowById(node.getAttribute("data-device-id"));
    if (!row || isSaved(row)) { return; }
    var slug = button.getAttribute("data-material");
    var input = button.parentNode.querySelector("input[data-material]");
    var delta = button.getAttribute("data-action") === "inc" ? 1 : -1;
    setQuantity(row, slug, (row.material[slug] || 0) + delta, input);
  }

  list.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-action]");
    if (!button) { return; }
    var node = button.closest("[data-row]");
    var row = node && rowById(node.getAttribute("data-device-id"));
    if (!row || isSaved(row)) { return; }
    var action = button.getAttribute("data-action");
    if (action === "inc" || action === "dec") {
      if (repeated) { repeated = false; return; }
      step(button);
    } else if (action === "age") {
      var age = button.getAttribute("data-age");
      row.anonymous_age_category = row.anonymous_age_category === age ? "" : age;
      edited(row);
      replaceRow(row);
    } else if (action === "remove") {
      sheet.rows.splice(sheet.rows.indexOf(row), 1);
      store();
      render();
    } else if (action === "more") {
      row.open = !row.open;
      store();
      replaceRow(row);
    } else if (action === "choose") {
      var choice = row.choices.filter(function (c) { return String(c.id) === button.getAttribute("data-id"); })[0];
      row.person_id = choice.id;
      row.person_label = choice.label;
      row.status = "new";
      row.message = "";
      row.choices = [];
      row.queued = true;
      store();
      replaceRow(row);
      send();
    } else if (action === "create") {
      var year = parseInt(node.querySelector('[data-new="birth_year"]').value, 10);
      row.new_person = {
        nickname: row.person,
        gender: node.querySelector('[data-new="gender"]').value,
        birth_year: isNaN(year) ? null : year,
      };
      row.status = "new";
      row.message = "";
      row.queued = true;
      store();
      replaceRow(row);
      send();
    }
  });

  // A long press on a stepper's button repeats it.
  var holding = null;
  var repeated = false;
  function release() {
    if (holding) { window.clearTimeout(holding.timer); window.clearInterval(holding.interval); holding = null; }
  }
  list.addEventListener("pointerdown", function (event) {
    var button = event.target.closest("button.sheet-step");
    if (!button) { return; }
    release();
    repeated = false;
    holding = { timer: window.setTimeout(function () {
      holding.interval = window.setInterval(function () { repeated = true; step(button); }, 90);
    }, 450) };
  });
  ["pointerup", "pointercancel", "pointerleave"].forEach(function (name) {
    list.addEventListener(name, release);
  });
  list.addEventListener("contextmenu", function (event) {
    if (event.target.closest("button.sheet-step")) { event.preventDefault(); }
  });

  // ---- Adding contacts ----
  quick.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-gender]");
    if (button) { addRow({ anonymous_gender: button.getAttribute("data-gender") }); }
  });

  function addPerson() {
    var text = personInput.value.trim();
    if (!text) { return; }
    var option = Array.prototype.filter.call(options.querySelectorAll("option"), function (o) {
      return o.value === text;
    })[0];
    addRow({ person: text, person_label: option ? text + " · " + option.textContent : "" });
    personInput.value = "";
    options.textContent = "";
  }
  if (personForm) {
    personForm.addEventListener("submit", function (event) {
      event.preventDefault();
      addPerson();
    });
    // Choosing a suggestion of the list adds the row at once.
    personInput.addEventListener("input", function (event) {
      if (event.inputType && event.inputType !== "insertReplacementText") { return; }
      var value = personInput.value;
      var picked = Array.prototype.some.call(options.querySelectorAll("option"), function (o) { return o.value === value; });
      if (picked) { addPerson(); }
    });
  }

  // ---- Sending ----
  var sending = false;
  var again = false;
  var offline = false;

  function payload(row) {
    return {
      device_id: row.device_id,
      person: row.person_id ? "" : row.person,
      person_id: row.person_id,
      new_person: row.new_person,
      anonymous_gender: row.person || row.person_id ? "" : row.anonymous_gender,
      anonymous_age_category: row.person || row.person_id ? "" : row.anonymous_age_category,
      channel: row.channel,
      caarud: !!row.caarud,
      time: row.time,
      material: row.material,
      services: row.services,
      themes: row.themes,
      referrals: [],
      note: row.note,
    };
  }

  function errorsText(errors) {
    return Object.keys(errors || {}).map(function (name) {
      return [].concat(errors[name]).join(" ");
    }).join(" ");
  }

  function apply(results) {
    results.forEach(function (result) {
      var row = rowById(result.device_id);
      if (!row) { return; }
      row.message = "";
      row.choices = [];
      if (result.status === "saved" || result.status === "already") {
        row.status = "saved";
        row.contact = result.contact;
        row.queued = false;
      } else if (result.status === "choose") {
        row.status = "choose";
        row.choices = result.choices || [];
        row.message = result.message || T.choose;
      } else if (result.status === "unknown") {
        row.status = "unknown";
        row.message = result.message || "";
      } else {
        row.status = "invalid";
        row.message = errorsText(result.errors) || result.message || "";
      }
      replaceRow(row);
    });
    store();
  }

  function post(rows, retried) {
    return window.fetch(config.send_url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": cookie("csrftoken"),
      },
      body: JSON.stringify({ contacts: rows.map(payload) }),
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (response.redirected || type.indexOf("json") < 0) {
        // Sent to the login page (a login older than its maximum age): the same as a 401.
        if (response.redirected || response.status === 401) {
          return { expired: config.login_url };
        }
        return { failed: response.status };
      }
      return response.json().then(function (body) {
        if (response.status === 401) { return { expired: body.login || config.login_url }; }
        if (response.status === 403 && body.csrf && !retried) { return post(rows, true); }
        if (response.status === 403 && body.csrf) { return { error: T.csrf }; }
        if (response.status === 200 && body.results) { return { results: body.results }; }
        return { error: body.error || T.failed.replace("%s", String(response.status)) };
      });
    });
  }

  function send() {
    if (sending) { again = true; return; }
    var rows = sheet.rows.filter(function (row) {
      return row.queued && !isSaved(row) && (row.status === "new" || row.status === "error");
    });
    if (!rows.length) { renderStatus(); return; }
    if (!navigator.onLine) { offline = true; renderStatus(); return; }
    sending = true;
    saveButton.disabled = true;
    saveButton.textContent = T.sending;
    var batches = [];
    for (var i = 0; i < rows.length; i += BATCH) { batches.push(rows.slice(i, i + BATCH)); }
    var chain = Promise.resolve(null);
    batches.forEach(function (batch) {
      chain = chain.then(function (stop) {
        if (stop) { return stop; }
        return post(batch, false).then(function (answer) {
          if (answer.results) { apply(answer.results); return null; }
          return answer;
        });
      });
    });
    chain.then(function (stop) {
      offline = false;
      notice = null;
      if (stop && stop.expired) {
        notice = { kind: "expired", text: T.expired, link: stop.expired };
      } else if (stop) {
        notice = { kind: "error", text: stop.error || T.failed.replace("%s", String(stop.failed)) };
      }
    }, function () {
      offline = true; // no answer: the network is away; the rows wait on the phone
    }).then(function () {
      sending = false;
      saveButton.disabled = false;
      saveButton.textContent = T.save;
      renderStatus();
      if (again) { again = false; send(); }
    });
  }

  saveButton.addEventListener("click", function () {
    sheet.rows.forEach(function (row) {
      if (!isSaved(row)) {
        row.queued = true;
        if (row.status === "invalid") { row.status = "new"; }
      }
    });
    store();
    notice = null;
    send();
  });
  window.addEventListener("online", function () { offline = false; send(); });
  window.addEventListener("offline", function () { offline = true; renderStatus(); });

  // Logging out clears the phone (the server's Clear-Site-Data does it too).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (config.logout_url && form.getAttribute && form.getAttribute("action") === config.logout_url) {
      clearAll();
    }
  }, true);

  if ("serviceWorker" in navigator && window.isSecureContext) {
    navigator.serviceWorker.register(config.sw_url || "/sw.js", { scope: "/" }).catch(function () {});
  }

  store();
  render();
  send(); // rows left queued (offline, expired session) go as soon as the page opens
}());
