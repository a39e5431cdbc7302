"""What the kecamatan publishes: the service standards (with each service's procedure from its BPMN),
the authority registry's refusals and the maklumat, as public pages and JSON."""
