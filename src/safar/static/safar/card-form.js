// Card entry: Enter saves from any field. Browsers submit on Enter from text inputs only; an
// operator keying cards should not have to leave a <select> first.
document.addEventListener("keydown", (event) => {
  const field = event.target;
  const form = field.form;
  if (event.key !== "Enter" || !form || !form.hasAttribute("data-enter-submits")) return;
  if (field.tagName !== "SELECT") return;
  event.preventDefault();
  form.requestSubmit(form.querySelector("button[type=submit]"));
});
