"""Python 2.7 only: drive Civicly with the `open311` package (PyPI, 2011) as an old city app would.

Run by test_real_clients.py in a subprocess; prints what the client got as JSON on stdout.
Usage: python2.7 py2_open311_client.py ENDPOINT API_KEY DESCRIPTION
"""
import json
import sys

from open311 import Open311


def main(endpoint, api_key, description):
    # The trailing slash makes this client POST to ".../v2//requests.xml", as it does in the wild.
    client = Open311(endpoint=endpoint + "/", api_key=api_key)
    services = client.service_list()
    definition = client.service_definition("SANTE")
    posted = client.post_service_request(service_code="SANTE", lat="14.6928", long="-17.4467",
                                         description=description, email="awa@example.sn", first_name="Awa")
    request_id = posted["service_requests"]["request"]["service_request_id"]
    fetched = client.get_service_request(request_id)
    listed = client.service_requests(service_request_id=request_id)
    print(json.dumps({"services": services, "definition": definition, "posted": posted,
                      "fetched": fetched, "listed": listed}))


if __name__ == "__main__":
    main(*sys.argv[1:4])
