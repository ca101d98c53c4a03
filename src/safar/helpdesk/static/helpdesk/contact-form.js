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
