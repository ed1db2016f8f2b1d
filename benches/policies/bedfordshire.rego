# Bedfordshire OPCC Commissioning Strategy 2024 as Rego (OPA; evaluated here with regorus), for the
# rule-engine comparison in benches/. The same decisions as the WebAssembly plugin
# (rules/guest/plugins/bedfordshire-police): outcome, required route, and each finding's rule and
# severity. Messages are fixed text; the plugin also writes amounts into them.
#
# Input: a procurement as JSON (the host's `Procurement`). Query: data.bedfordshire.decision.
package bedfordshire

clause_prefix := "Bedfordshire OPCC Commissioning Strategy 2024, "

clauses := {
	"BED-INPUT-1": "Open and Transparent Processes: financial thresholds and evaluation criteria",
	"BED-VAT-1": "Open and Transparent Processes: financial thresholds (VAT treatment decided by this plugin)",
	"BED-QUOTE-1": "Open and Transparent Processes: £0-£6,000 one written quote required",
	"BED-QUOTE-2": "Open and Transparent Processes: £6,000-£60,000 three written quotes or use of e-tendering system",
	"BED-TENDER-1": "Open and Transparent Processes: £60,001 and above, commissioned via competitive tender with involvement from Procurement",
	"BED-PUBLISH-1": "Open and Transparent Processes: over £60,000, opportunities communicated via the OPCC website and the E-Tendering Portal",
	"BED-EVAL-1": "Open and Transparent Processes: comprehensive evaluation, supported by an independent panel member, of quality, value for money and social value",
	"BED-SV-1": "Social Value: a requirement for social value consideration in tender opportunities",
	"BED-STA-1": "Funding Awards: a Single Tender Action only where only one supplier can carry out the services, after comprehensive market engagement and research",
	"BED-FRAMEWORK-1": "Open and Transparent Processes: financial thresholds (framework call-offs decided by this plugin)",
}

finding(id, severity, message, action) := {
	"rule_id": id,
	"severity": severity,
	"message": message,
	"policy_clause": concat("", [clause_prefix, clauses[id]]),
	"required_action": action,
}

# Thresholds compare the VAT-exclusive value: an inclusive value loses the 20% standard rate,
# rounded up to the penny.
inclusive if input.vat == "inclusive"

value := ceil((input.value_pence * 10000) / 12000) if inclusive

value := input.value_pence if not inclusive

# Bands include their upper bound: £6,000.00 needs one quote, £60,000.00 three.
band := "one_quote" if value <= 600000

band := "three_quotes" if {
	value > 600000
	value <= 6000000
}

band := "tender" if value > 6000000

band_route := {"one_quote": "single_quote", "three_quotes": "multiple_quotes", "tender": "e_tender"}[band]

band_requirement := {
	"one_quote": "obtain one written quote",
	"three_quotes": "obtain three written quotes or use the e-tendering system",
	"tender": "run a competitive tender with Procurement involved, published on the OPCC website and the E-Tendering Portal",
}[band]

# A framework call-off is held to the value bands like any purchase (plugin 2.0.0): its written
# quotes count as quotes, and over £60,000 it is not a competitive tender.
quotation if input.route in {"single_quote", "multiple_quotes", "framework_call_off"}

tender if input.route in {"e_tender", "open_tender"}

by_value_band if input.route != "single_tender_action"

# Three written quotes means three different suppliers: by national id, else by name (case and
# spacing ignored).
supplier_key(q) := concat("", ["id:", trim_space(q.supplier_id)]) if {
	is_string(q.supplier_id)
	trim_space(q.supplier_id) != ""
}

supplier_key(q) := concat("", ["name:", lower(concat(" ", [w | some w in split(q.supplier_name, " "); w != ""]))]) if {
	not has_supplier_id(q)
}

has_supplier_id(q) if {
	is_string(q.supplier_id)
	trim_space(q.supplier_id) != ""
}

suppliers := count({supplier_key(q) | some q in input.quotes})

# BED-INPUT-1
malformed if input.value_pence < 0

malformed if {
	some q in input.quotes
	q.amount_pence < 0
}

malformed if {
	w := input.weightings
	w != null
	(w.price + w.quality) + w.social_value != 10000
}

findings contains finding(
	"BED-INPUT-1", "violation",
	"The procurement record is not well formed: a negative value or quote, or weightings that do not add up to 100%.",
	"Correct the value, quotes and weightings (price, quality and social value must add up to 100%)."
) if malformed

# BED-VAT-1
findings contains finding(
	"BED-VAT-1", "info",
	"The value includes VAT; the thresholds are compared on its VAT-exclusive equivalent, taking off VAT at the 20% standard rate.",
	"If the purchase is zero-rated or reduced-rate, record its value VAT-exclusive so the right threshold applies."
) if inclusive

# BED-QUOTE-1
findings contains finding(
	"BED-QUOTE-1", "info",
	"The value is up to £6,000.00, which needs one written quote, and one is recorded.",
	"Keep the written quote with the order."
) if {
	by_value_band
	band == "one_quote"
	quotation
	suppliers >= 1
}

findings contains finding(
	"BED-QUOTE-1", "violation",
	"The value is up to £6,000.00, which needs one written quote, and none is recorded.",
	"Obtain a written quote and record it before committing the spend."
) if {
	by_value_band
	band == "one_quote"
	quotation
	suppliers == 0
}

findings contains finding(
	"BED-QUOTE-1", "info",
	"The value is up to £6,000.00, which needs only one written quote; the route is more than required and is acceptable.",
	"None: the route goes beyond the threshold's requirement."
) if {
	by_value_band
	band == "one_quote"
	not quotation
}

# BED-QUOTE-2
findings contains finding(
	"BED-QUOTE-2", "info",
	"The value is between £6,000.01 and £60,000.00, which needs three written quotes or the e-tendering system, and they are recorded.",
	"Keep the written quotes with the contract record."
) if {
	by_value_band
	band == "three_quotes"
	quotation
	suppliers >= 3
}

findings contains finding(
	"BED-QUOTE-2", "violation",
	"The value is between £6,000.01 and £60,000.00, which needs three written quotes or the e-tendering system, but fewer are recorded.",
	"Obtain written quotes from at least three different suppliers, or run the procurement through the e-tendering system."
) if {
	by_value_band
	band == "three_quotes"
	quotation
	suppliers < 3
}

findings contains finding(
	"BED-QUOTE-2", "info",
	"The value is between £6,000.01 and £60,000.00; the route meets the requirement for three written quotes or the e-tendering system.",
	"None: the route meets the threshold."
) if {
	by_value_band
	band == "three_quotes"
	not quotation
}

# BED-TENDER-1, BED-PUBLISH-1, BED-EVAL-1
findings contains finding(
	"BED-TENDER-1", "info",
	"The value is over £60,000.00 and is commissioned by competitive tender, as required.",
	"Involve Procurement (Force Commercial Services) and an independent panel member in the evaluation; the service cannot check either."
) if {
	by_value_band
	band == "tender"
	tender
}

findings contains finding(
	"BED-TENDER-1", "violation",
	"The value is over £60,000.00, so it must be commissioned by competitive tender with Procurement involved.",
	"Run a competitive tender through the E-Tendering Portal with Procurement (Force Commercial Services) involved."
) if {
	by_value_band
	band == "tender"
	not tender
}

tender_over_threshold if {
	by_value_band
	band == "tender"
	tender
}

findings contains finding(
	"BED-PUBLISH-1", "info",
	"The opportunity is recorded as published.",
	"Make sure it is on both the OPCC website and the E-Tendering Portal, with the specification, funding envelope and evaluation criteria."
) if {
	tender_over_threshold
	input.published
}

findings contains finding(
	"BED-PUBLISH-1", "violation",
	"The value is over £60,000.00, so the opportunity must be published on the OPCC website and the E-Tendering Portal, and it is not recorded as published.",
	"Publish the opportunity, with its specification, funding envelope and evaluation criteria, on the OPCC website and the E-Tendering Portal."
) if {
	tender_over_threshold
	not input.published
}

findings contains finding(
	"BED-EVAL-1", "violation",
	"No evaluation weightings are recorded, so the evaluation cannot be shown to cover quality, value for money and social value.",
	"Record the evaluation weightings, with quality, price (value for money) and social value each given a share."
) if {
	tender_over_threshold
	input.weightings == null
}

unweighted contains "quality" if input.weightings.quality == 0

unweighted contains "value for money (price)" if input.weightings.price == 0

unweighted contains "social value" if input.weightings.social_value == 0

findings contains finding(
	"BED-EVAL-1", "violation",
	"The evaluation gives no weight to a criterion; it must cover quality, value for money and social value.",
	"Give every criterion a weighting in the evaluation criteria."
) if {
	tender_over_threshold
	input.weightings != null
	count(unweighted) > 0
}

findings contains finding(
	"BED-EVAL-1", "info",
	"The evaluation weights quality, value for money (price) and social value.",
	"Have an independent panel member support the evaluation."
) if {
	tender_over_threshold
	input.weightings != null
	count(unweighted) == 0
}

# BED-SV-1: a tender below the tender threshold should still consider social value.
social_value_weighted if input.weightings.social_value > 0

findings contains finding(
	"BED-SV-1", "info",
	"The tender gives social value a share of the evaluation.",
	"None: social value is part of the evaluation."
) if {
	by_value_band
	band != "tender"
	tender
	social_value_weighted
}

findings contains finding(
	"BED-SV-1", "warning",
	"This tender opportunity has no social value criterion in its evaluation.",
	"Include a social value requirement in the tender (for example employment of local people or support for local charities) and weight it in the evaluation."
) if {
	by_value_band
	band != "tender"
	tender
	not social_value_weighted
}

# BED-FRAMEWORK-1: a call-off must be from a framework live and open to the force; the value band
# still applies.
call_off_valid if {
	input.call_off.framework_live
	input.call_off.open_to_tenant
}

findings contains finding(
	"BED-FRAMEWORK-1", "info",
	"Call-off from a framework live and open to Bedfordshire Police.",
	"Follow the framework's call-off procedure; the strategy makes no exception for framework call-offs, so the value band's quotes or tender are still required."
) if {
	input.route == "framework_call_off"
	call_off_valid
}

findings contains finding(
	"BED-FRAMEWORK-1", "violation",
	"A call-off must be from a framework that is live and open to the force.",
	"Call off from a live framework open to Bedfordshire Police, or run a procurement of your own."
) if {
	input.route == "framework_call_off"
	not call_off_valid
}

# BED-STA-1: a single tender action needs its structured justification, both parts recorded (not
# blank): the evidence that only one supplier can do the work, and the market engagement behind it.
has_evidence if {
	j := input.single_tender_justification
	j != null
	trim_space(j.sole_supplier_evidence) != ""
	trim_space(j.market_engagement) != ""
}

findings contains finding(
	"BED-STA-1", "info",
	"Single tender action: the justification records the evidence that only one supplier can carry out the services, and the market engagement that showed it.",
	"Keep the evidence that only one supplier can carry out the services, and the comprehensive market engagement and research behind it, with the contract record."
) if {
	input.route == "single_tender_action"
	has_evidence
}

findings contains finding(
	"BED-STA-1", "violation",
	"A single tender action (an award without competition) is only considered where there is evidence that only one supplier can carry out the services, after comprehensive market engagement and research, and the single tender justification does not record both.",
	concat("", ["Record the single tender justification (the evidence that only one supplier can carry out the services, and the market engagement and research that showed it), or ", band_requirement, "."])
) if {
	input.route == "single_tender_action"
	not has_evidence
}

# The required route: the band's, unless a justified single tender action stands in for it.
required_route := "single_tender_action" if {
	input.route == "single_tender_action"
	has_evidence
}

required_route := band_route if by_value_band

required_route := band_route if {
	input.route == "single_tender_action"
	not has_evidence
}

default outcome := "compliant"

outcome := "non_compliant" if {
	some f in findings
	f.severity == "violation"
}

decision := {
	"outcome": outcome,
	"required_route": required_route,
	"findings": findings,
}
