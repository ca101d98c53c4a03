// The session form on a phone with a weak connection: what is typed is kept as a draft in this
// browser's localStorage on every change, put back when the form is opened again (after a failed
// send, a reload, a closed tab), and forgotten once the server's page says the form was saved
// (data-saved on the form). A send while the phone knows it is offline is held back with a note,
// so the page is not lost to the browser's error page. The form works without this script.
(() => {
  const form = document.querySelector("form[data-draft]");
  if (!form) return;
  const KEY = `safar:outreach-draft:${form.dataset.draft}`;
  const SKIPPED = new Set(["hidden", "password", "file", "submit", "button", "reset", "image"]);
  const status = document.getElementById("draft-status");
  const fields = () =>
    [...form.elements].filter(
      (el) => el.name && !el.disabled && !SKIPPED.has(el.type) && el.tagName !== "BUTTON",
    );
  const say = (text) => {
    if (status && text) status.textContent = text;
  };

  if (form.dataset.saved) {
    localStorage.removeItem(KEY);
    return;
  }

  const save = () => {
    const typed = fields().map((el) => {
      if (el.type === "checkbox" || el.type === "radio") return [el.name, el.value, el.checked];
      if (el.multiple) return [el.name, [...el.selectedOptions].map((o) => o.value)];
      return [el.name, el.value];
    });
    try {
      localStorage.setItem(KEY, JSON.stringify(typed));
    } catch {
      // Storage full or refused: the form still sends; only the draft is lost.
    }
  };

  // A form the server sent back with errors holds what was sent: no draft over it.
  const kept = form.dataset.restore === "yes" && localStorage.getItem(KEY);
  if (kept) {
    try {
      const els = fields();
      for (const [name, value, checked] of JSON.parse(kept)) {
        for (const el of els.filter((e) => e.name === name)) {
          if (el.type === "checkbox" || el.type === "radio") {
            if (el.value === value) el.checked = checked;
          } else if (el.multiple && Array.isArray(value)) {
            for (const option of el.options) option.selected = value.includes(option.value);
          } else {
            el.value = value;
          }
        }
      }
      say(form.dataset.restoredText);
    } catch {
      localStorage.removeItem(KEY);
    }
  }

  form.addEventListener("input", save);
  form.addEventListener("change", save);
  form.addEventListener("submit", (event) => {
    save();
    if (navigator.onLine === false) {
      event.preventDefault();
      say(form.dataset.offlineText);
    }
  });
})();
