/* /operator/baru: Ctrl+Enter (or Cmd+Enter) in the description saves the report, so a call is logged without the mouse. */
document.addEventListener("keydown", (event) => {
  if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) return;
  if (!event.target || event.target.id !== "oi-description") return;
  event.preventDefault();
  const save = document.getElementById("oi-submit");
  if (save && !save.disabled) save.click();
});
