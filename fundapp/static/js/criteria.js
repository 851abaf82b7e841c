// Scoring criteria page: keep the running total of the weights up to date while typing.
(function () {
  "use strict";
  var output = document.getElementById("weights-total");
  if (!output) { return; }
  var inputs = document.querySelectorAll(".weight-input");
  function update() {
    var total = 0;
    inputs.forEach(function (input) {
      var value = parseInt(input.value, 10);
      if (!isNaN(value)) { total += value; }
    });
    output.textContent = String(total);
    output.className = total === 100 ? "total-ok" : "total-off";
  }
  inputs.forEach(function (input) { input.addEventListener("input", update); });
})();
