// The contact form: as the phone number is typed, the caller's profile and earlier contacts
// and open cases appear beside the form. The number is POSTed (never in a URL); results are written as text.
(function () {
  "use strict";
  const form = document.getElementById("contact-form");
  if (!form) return;
  const phone = document.getElementById("id_caller_phone");
  const panel = document.getElementById("caller-history");
  const url = form.dataset.lookup;
  const token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  let timer = null;
  let asked = "";

  function cell(row, text) {
    const td = document.createElement("td");
    td.textContent = text;
    row.appendChild(td);
  }

  function show(answer) {
    const callers = panel.querySelector("[data-callers]");
    const rows = panel.querySelector("[data-contacts]");
    callers.replaceChildren();
    rows.replaceChildren();
    if (!answer.phone) {
      panel.hidden = true;
      return;
    }
    for (const caller of answer.callers) {
      const item = document.createElement("li");
      item.textContent = [caller.msc, caller.name, caller.sex, caller.age_band, caller.region, caller.district]
        .filter(Boolean).join(" · ");
      callers.appendChild(item);
    }
    for (const contact of answer.contacts) {
      const row = document.createElement("tr");
      cell(row, contact.received_at);
      cell(row, contact.msc);
      cell(row, contact.channel);
      cell(row, contact.categories.join("; "));
      cell(row, contact.outcome);
      cell(row, contact.ban_check);
      rows.appendChild(row);
    }
    const cases = panel.querySelector("[data-cases]");
    cases.replaceChildren();
    for (const found of answer.open_cases || []) {
      const item = document.createElement("li");
      const link = document.createElement("a");
      link.href = found.url;
      link.className = "code";
      link.textContent = found.number;
      item.appendChild(link);
      item.appendChild(document.createTextNode(" · " + [found.type, found.status].join(" · ")));
      cases.appendChild(item);
    }
    panel.querySelector("[data-cases-block]").hidden = cases.children.length === 0;
    panel.querySelector("[data-empty]").hidden = answer.contacts.length > 0;
    panel.hidden = false;
  }

  function ask() {
    const number = phone.value.trim();
    // Fewer than nine digits is not yet a number anywhere the hotline hears from.
    if (number === asked || number.replace(/\D/g, "").length < 9) return;
    asked = number;
    const body = new FormData();
    body.append("phone", number);
    fetch(url, {method: "POST", body: body, headers: {"X-CSRFToken": token}, credentials: "same-origin"})
      .then((response) => (response.ok ? response.json() : null))
      .then((answer) => { if (answer && phone.value.trim() === number) show(answer); })
      .catch(() => {});
  }

  phone.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(ask, 250);
  });
  phone.addEventListener("blur", ask);
})();

// Ticking categories: the guide's articles that answer them appear as links (new tab), and an
// entry-ban category opens the stay calculator for the caller's trips.
(function () {
  "use strict";
  const form = document.getElementById("contact-form");
  if (!form) return;
  const categories = document.getElementById("id_categories");
  const guide = document.getElementById("category-guide");
  const check = document.getElementById("ban-check");
  const token = form.querySelector("input[name=csrfmiddlewaretoken]").value;

  function chosen() {
    return Array.from(categories.selectedOptions, (option) => option.value);
  }

  function showArticles() {
    const codes = chosen();
    let any = false;
    for (const item of guide.querySelectorAll("li[data-categories]")) {
      const shown = item.dataset.categories.split(" ").some((code) => codes.includes(code));
      item.hidden = !shown;
      any = any || shown;
    }
    guide.hidden = !any;
    check.hidden = !codes.some((code) => code.startsWith("entry_ban/"));
  }

  const trips = check.querySelector("[data-trips]");
  const add = check.querySelector("[data-add-trip]");
  const run = check.querySelector("[data-run-check]");
  const answer = check.querySelector("[data-answer]");

  function addTrip() {
    const rows = trips.querySelectorAll("[data-trip]");
    if (rows.length >= 50) return;
    const row = rows[rows.length - 1].cloneNode(true);
    const n = rows.length;
    for (const [name, label] of [["entered", check.dataset.enteredLabel], ["left", check.dataset.leftLabel]]) {
      const input = row.querySelector(`input[name=trip_${name}]`);
      input.id = `id_trip_${name}_${n}`;
      input.value = "";
      input.removeAttribute("aria-describedby");
      input.removeAttribute("aria-invalid");
      input.closest(".field").classList.remove("has-error");
      const labelElement = input.closest(".field").querySelector("label");
      labelElement.htmlFor = input.id;
      labelElement.textContent = label.replace("__N__", String(n + 1));
    }
    for (const errors of row.querySelectorAll(".errorlist")) errors.remove();
    trips.appendChild(row);
    row.querySelector("input").focus();
  }

  function showAnswer(data) {
    answer.querySelector("[data-summary]").textContent = data.summary || "";
    answer.querySelector("[data-explanation]").textContent = data.explanation || "";
    const list = answer.querySelector("[data-errors]");
    list.replaceChildren();
    for (const message of data.errors || []) {
      const item = document.createElement("li");
      item.textContent = message;
      list.appendChild(item);
    }
    answer.hidden = false;
  }

  function calculate() {
    const body = new FormData();
    for (const input of check.querySelectorAll("input")) body.append(input.name, input.value);
    fetch(check.dataset.url, {method: "POST", body: body, headers: {"X-CSRFToken": token}, credentials: "same-origin"})
      .then((response) => response.json())
      .then(showAnswer)
      .catch(() => {});
  }

  // The guide's own calculator page, in a new tab, with the trips typed here (its form's
  // fields: the date of the check and one row per stay; the other kinds of fact left empty).
  const opener = document.getElementById("open-calculator");
  const open = check.querySelector("[data-open-calculator]");

  function openCalculator() {
    const fields = {"as_of": document.getElementById("id_ban_as_of").value || opener.dataset.today};
    const entered = check.querySelectorAll("input[name=trip_entered]");
    const left = check.querySelectorAll("input[name=trip_left]");
    let n = 0;
    entered.forEach((input, i) => {
      if (!input.value && !left[i].value) return;
      fields[`stays-${n}-entry`] = input.value;
      fields[`stays-${n}-exit`] = left[i].value;
      n += 1;
    });
    for (const group of ["stays", "permits", "offences", "removals", "convictions"]) {
      fields[`${group}-TOTAL_FORMS`] = group === "stays" ? String(Math.max(n, 1)) : "1";
      fields[`${group}-INITIAL_FORMS`] = "0";
    }
    for (const old of opener.querySelectorAll("input:not([name=csrfmiddlewaretoken])")) old.remove();
    for (const [name, value] of Object.entries(fields)) {
      const input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = value;
      opener.appendChild(input);
    }
    opener.submit();
  }

  categories.addEventListener("change", showArticles);
  open.addEventListener("click", openCalculator);
  open.hidden = false;
  add.addEventListener("click", addTrip);
  run.addEventListener("click", calculate);
  add.hidden = false;
  run.hidden = false;
})();
