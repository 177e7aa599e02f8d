"""Python 2.7 only: drive Civicly with the `open311` package (PyPI, 2011) as an old city app would.

Run by test_real_clients.py in a subprocess, in two steps; prints what the client got as JSON on stdout.
Usage: python2.7 py2_open311_client.py post ENDPOINT API_KEY DESCRIPTION
       python2.7 py2_open311_client.py read ENDPOINT PUBLIC_ID
The client puts its configured api_key in the query string, which Civicly refuses: it is configured without one
and the key goes in the POST body (the client sends its other keyword arguments there). Reading needs no key; it
finds the request once published, under its public id.
"""
import json
import sys

from open311 import Open311


def post(endpoint, api_key, description):
    # The trailing slash makes this client POST to ".../v2//requests.xml", as it does in the wild.
    client = Open311(endpoint=endpoint + "/")
    services = client.service_list()
    definition = client.service_definition("SANTE")
    posted = client.post_service_request(api_key=api_key, service_code="SANTE", lat="14.6928", long="-17.4467",
                                         description=description, email="awa@example.sn", first_name="Awa",
                                         publish_consent="true")
    return {"services": services, "definition": definition, "posted": posted}


def read(endpoint, public_id):
    client = Open311(endpoint=endpoint + "/")
    return {"fetched": client.get_service_request(public_id),
            "listed": client.service_requests(service_request_id=public_id)}


if __name__ == "__main__":
    step = {"post": post, "read": read}[sys.argv[1]]
    print(json.dumps(step(*sys.argv[2:])))
