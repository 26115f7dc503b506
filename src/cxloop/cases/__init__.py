"""Cases: what needs action, routed to a department and person, under an SLA on business
hours, answered on the customer's channel, and followed up."""
