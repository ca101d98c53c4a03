// Switching the language reloads the page in the other language, and what was typed in the page's
// forms would be lost. Just before the switch, the typed values are kept in this tab's
// sessionStorage (never in the address: no personal data in URLs); when the page comes back they
// are put back and forgotten at once. Passwords, files and hidden fields are never kept.
(() => {
  const switcher = document.querySelector("form.langswitch");
  if (!switcher) return;
  const KEY = `safar:typed:${window.location.pathname}`;
  const SKIPPED = new Set(["hidden", "password", "file", "submit", "button", "reset", "image"]);
  const forms = () =>
    [...document.forms].filter((form) => form !== switcher && !form.classList.contains("logout"));
  const fields = (form) =>
    [...form.elements].filter(
      (el) => el.name && !el.disabled && !SKIPPED.has(el.type) && el.tagName !== "BUTTON",
    );

  switcher.addEventListener("submit", () => {
    const typed = forms().map((form) =>
      fields(form).map((el) => {
        if (el.type === "checkbox" || el.type === "radio") return [el.name, el.value, el.checked];
        if (el.multiple) return [el.name, [...el.selectedOptions].map((o) => o.value)];
        return [el.name, el.value];
      }),
    );
    if (typed.some((form) => form.length)) sessionStorage.setItem(KEY, JSON.stringify(typed));
  });

  const kept = sessionStorage.getItem(KEY);
  if (!kept) return;
  sessionStorage.removeItem(KEY);
  let typed;
  try {
    typed = JSON.parse(kept);
  } catch {
    return;
  }
  forms().forEach((form, index) => {
    const values = typed[index] || [];
    const els = fields(form);
    for (const [name, value, checked] of values) {
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
  });
})();
