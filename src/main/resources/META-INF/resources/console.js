// Small progressive enhancements for the console's server-rendered forms; every page works without them.
(function () {
  // A form with data-confirm asks first: revoking a key or deleting a user cannot be undone.
  // A form sent once cannot be sent again by a second click: issuing a key twice makes two live keys.
  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      return;
    }
    if (form.dataset.sent) {
      event.preventDefault();
      return;
    }
    form.dataset.sent = 'true';
    // Work that takes seconds (data-busy="what it does") says so while it runs, rather than look unclicked.
    var button = form.dataset.busy && form.querySelector('button[type=submit]');
    if (button) {
      button.dataset.label = button.textContent;
      button.textContent = form.dataset.busy;
    }
  });
  // Coming back to a page from the browser's history must leave its forms usable again.
  window.addEventListener('pageshow', function () {
    document.querySelectorAll('form[data-sent]').forEach(function (form) { delete form.dataset.sent; });
    document.querySelectorAll('form[data-busy] button[data-label]').forEach(function (button) {
      button.textContent = button.dataset.label;
      delete button.dataset.label;
    });
  });
  // Copy buttons (data-copy="input id") say "Copied" only when the clipboard took the text.
  document.addEventListener('click', function (event) {
    var button = event.target.closest('button[data-copy]');
    if (!button) {
      return;
    }
    var input = document.getElementById(button.dataset.copy);
    input.select();
    var failed = function () { button.textContent = 'Press Ctrl+C to copy'; };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(function () { button.textContent = 'Copied'; }, failed);
    } else {
      failed();
    }
  });
})();
