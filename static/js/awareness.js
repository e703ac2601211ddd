// The room of a bewustwordingssessie follows the trainer without a reload: every few seconds
// it asks the server where the room is and what was added, and shows that. Without this
// script the page shows the same after a reload; every form works on its own.
(function () {
  "use strict";
  var room = document.getElementById("awareness-room");
  if (!room || !window.fetch) {
    return;
  }
  var stateUrl = room.dataset.stateUrl;
  var interval = parseInt(room.dataset.interval, 10) || 3000;
  var live = room.dataset.live === "true";
  var leads = room.dataset.leads === "true";
  var template = document.getElementById("awareness-example-template");
  var lastSeen = "";
  var failures = 0;

  function showStep(step) {
    if (!live || room.dataset.step === step) {
      return;
    }
    if (leads) {
      // A co-trainer moved the room: reload, so the step buttons match.
      window.location.reload();
      return;
    }
    room.dataset.step = step;
    room.querySelectorAll("[data-element]").forEach(function (section) {
      section.hidden = section.dataset.element !== step;
    });
    room.querySelectorAll(".awareness-step").forEach(function (item) {
      if (item.dataset.step === step) {
        item.setAttribute("aria-current", "step");
      } else {
        item.removeAttribute("aria-current");
      }
    });
  }

  function setEmpty(name, isEmpty) {
    var note = room.querySelector('[data-empty-for="' + name + '"]');
    if (note) {
      note.hidden = !isEmpty;
    }
  }

  function showDefinitions(definitions) {
    var list = document.getElementById("definitions");
    var seen = {};
    definitions.forEach(function (definition) {
      var id = String(definition.id);
      seen[id] = true;
      var item = list.querySelector('[data-id="' + id + '"]');
      if (!item) {
        item = document.createElement("li");
        item.className = "card mb-2";
        item.dataset.id = id;
        var body = document.createElement("div");
        body.className = "card-body";
        var heading = document.createElement("h3");
        heading.className = "h6 card-title";
        heading.dataset.field = "group";
        var text = document.createElement("p");
        text.className = "card-text mb-0";
        text.dataset.field = "text";
        body.appendChild(heading);
        body.appendChild(text);
        item.appendChild(body);
        list.appendChild(item);
      }
      item.querySelector('[data-field="group"]').textContent = definition.group;
      item.querySelector('[data-field="text"]').textContent = definition.text;
    });
    list.querySelectorAll("li[data-id]").forEach(function (item) {
      if (!seen[item.dataset.id]) {
        item.remove();
      }
    });
    setEmpty("definitions", definitions.length === 0);
  }

  function newExample(example) {
    var item = template.content.firstElementChild.cloneNode(true);
    item.dataset.id = String(example.id);
    item.querySelectorAll("form[data-action]").forEach(function (form) {
      var pattern = form.dataset.action === "group" ? room.dataset.groupUrl : room.dataset.removeUrl;
      form.action = pattern.replace("/0/", "/" + example.id + "/");
    });
    var select = item.querySelector("select");
    if (select) {
      select.id = "theme-" + example.id;
      var label = item.querySelector("label");
      if (label) {
        label.htmlFor = select.id;
      }
    }
    return item;
  }

  function showExamples(examples) {
    var container = document.getElementById("examples");
    var groups = {};
    container.querySelectorAll("[data-theme]").forEach(function (group) {
      groups[group.dataset.theme] = group;
    });
    var seen = {};
    examples.forEach(function (example) {
      var id = String(example.id);
      seen[id] = true;
      var group = groups[example.theme] || groups[""];
      var item = container.querySelector('li[data-id="' + id + '"]');
      if (!item) {
        item = newExample(example);
      }
      item.querySelector('[data-field="text"]').textContent = example.text;
      var select = item.querySelector("select");
      if (select && document.activeElement !== select) {
        select.value = example.theme;
      }
      var list = group.querySelector("[data-examples]");
      if (item.parentNode !== list && !item.contains(document.activeElement)) {
        list.appendChild(item);
      }
    });
    container.querySelectorAll("li[data-id]").forEach(function (item) {
      if (!seen[item.dataset.id]) {
        item.remove();
      }
    });
    Object.keys(groups).forEach(function (theme) {
      var count = groups[theme].querySelectorAll("li[data-id]").length;
      groups[theme].hidden = count === 0;
      groups[theme].querySelector("[data-count]").textContent = String(count);
    });
    setEmpty("examples", examples.length === 0);
  }

  function schedule() {
    // Slower after failures (the server or the network is busy), at most a minute apart.
    window.setTimeout(poll, Math.min(interval * Math.pow(2, failures), 60000));
  }

  function poll() {
    if (document.hidden) {
      schedule();
      return;
    }
    fetch(stateUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.text();
      })
      .then(function (body) {
        failures = 0;
        if (body !== lastSeen) {
          lastSeen = body;
          var state = JSON.parse(body);
          showStep(state.step);
          showDefinitions(state.definitions);
          showExamples(state.examples);
        }
      })
      .catch(function () {
        failures = Math.min(failures + 1, 5);
      })
      .then(schedule);
  }

  schedule();
})();
