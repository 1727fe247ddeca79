"""Tests of manifests.py: each check passes on the real manifests and fails on a broken copy.

Run by `make deploy-check` (python -m unittest, from this folder's venv).
"""

import copy
import unittest

import yaml

import manifests


def load(path: str) -> list[dict]:
    return [d for d in yaml.safe_load_all((manifests.HERE / path).read_text()) if d]


class TopicsConf(unittest.TestCase):
    def test_the_real_file_parses_with_production_durability(self):
        topics = manifests.parse_topics(manifests.TOPICS_CONF.read_text())
        self.assertIn("oms.order.events.v1", [t.name for t in topics])
        for topic in topics:
            self.assertGreaterEqual(topic.replicas, 3, topic)
            self.assertEqual(topic.min_insync, 2, topic)
            self.assertGreaterEqual(topic.partitions, topic.local, topic)

    def test_bad_rows_are_refused(self):
        for text in [
            "t.v1 4 1 3\n",  # a column missing
            "t.v1 4 1 three 2\n",
            "t.v1 4 1 2 3\n",  # min.insync.replicas above the replicas
            "T_upper 4 1 3 2\n",  # not a resource name
            "t.v1 4 1 3 2\nt.v1 4 1 3 2\n",
            "t.v1 0 1 3 2\n",
        ]:
            with self.assertRaises(ValueError, msg=text):
                manifests.parse_topics(text)

    def test_comments_and_blank_lines_are_skipped(self):
        topics = manifests.parse_topics("# topic partitions\n\na.v1 4 1 3 2  # trailing\n")
        self.assertEqual([(t.name, t.partitions, t.replicas, t.min_insync) for t in topics], [("a.v1", 4, 3, 2)])

    def test_generated_files_match_topics_conf(self):
        self.assertEqual(manifests.check_generated(), [])

    def test_generated_topics_carry_every_count(self):
        topics = manifests.parse_topics("a.v1 6 1 3 2\n")
        (doc,) = [d for d in yaml.safe_load_all(manifests.kafka_topics_yaml(topics)) if d]
        self.assertEqual(doc["spec"], {"partitions": 6, "replicas": 3, "config": {"min.insync.replicas": 2}})
        self.assertIn("create a.v1 6 3 2", manifests.create_topics_script(topics))


class Validation(unittest.TestCase):
    schemas = manifests.crd_schemas()

    def errors(self, docs):
        return manifests.validate_documents(docs, self.schemas)

    def test_every_overlay_is_clean(self):
        for overlay in manifests.OVERLAYS:
            self.assertEqual(manifests.check_overlay(overlay, self.schemas), [], overlay)

    def test_an_unknown_field_of_a_core_resource_fails(self):
        (deployment,) = [d for d in load("base/services/asset/deployment.yaml")]
        broken = copy.deepcopy(deployment)
        broken["spec"]["template"]["spec"]["containers"][0]["livenessProbes"] = {}
        self.assertEqual(self.errors([deployment]), [])
        self.assertTrue(self.errors([broken]))

    def test_a_wrong_type_in_a_core_resource_fails(self):
        (hpa,) = load("base/services/asset/hpa.yaml")
        hpa["spec"]["maxReplicas"] = "four"
        self.assertTrue(self.errors([hpa]))

    def test_custom_resources_are_checked_against_their_kind(self):
        topics = load("infra/kafka/topics.yaml")
        self.assertEqual(self.errors(topics), [])
        broken = copy.deepcopy(topics[0])
        broken["spec"]["replicas"] = "3"
        self.assertTrue(self.errors([broken]))
        unlabelled = copy.deepcopy(topics[0])
        del unlabelled["metadata"]["labels"]
        self.assertTrue(self.errors([unlabelled]), "a topic without its cluster label is ignored by Strimzi")

    def test_a_misspelled_acl_operation_fails(self):
        users = load("infra/kafka/users.yaml")
        users[0]["spec"]["authorization"]["acls"][0]["operations"] = ["Reed"]
        self.assertTrue(self.errors(users[:1]))

    def test_postgres_parameters_must_be_strings(self):
        clusters = load("infra/postgres/clusters.yaml")
        self.assertEqual(self.errors(clusters), [])
        clusters[0]["spec"]["postgresql"]["parameters"]["max_connections"] = 200
        self.assertTrue(self.errors(clusters[:1]))

    def test_a_kind_without_a_schema_fails(self):
        doc = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}
        self.assertIn("no schema", " ".join(self.errors([doc])))


class References(unittest.TestCase):
    def prod(self):
        return manifests.render("prod")

    def test_operator_made_secrets_count_as_present(self):
        made = manifests.operator_made_secrets(self.prod())
        for name in ["oms-asset", "oms-kafka-cluster-ca-cert", "oms-asset-db-app", "oms-asset-db-ca"]:
            self.assertIn(name, made)

    def test_a_secret_nobody_makes_fails(self):
        docs = self.prod()
        deployment = next(d for d in docs if d["kind"] == "Deployment" and d["metadata"]["name"] == "asset")
        deployment["spec"]["template"]["spec"]["volumes"][0]["secret"]["secretName"] = "nobody-makes-this"
        self.assertIn("nobody-makes-this", " ".join(manifests.check_references(docs, set())))

    def test_an_undocumented_variable_fails(self):
        docs = self.prod()
        deployment = next(d for d in docs if d["kind"] == "Deployment" and d["metadata"]["name"] == "asset")
        deployment["spec"]["template"]["spec"]["containers"][0]["env"].append({"name": "OMS_KAFKA__BROKER", "value": "x"})
        self.assertIn("OMS_KAFKA__BROKER ", " ".join(manifests.check_references(docs, set())) + " ")

    def test_a_selector_that_selects_nothing_fails(self):
        docs = self.prod()
        service = next(d for d in docs if d["kind"] == "Service" and d["metadata"]["name"] == "asset")
        service["spec"]["selector"] = {"app.kubernetes.io/name": "assets"}
        self.assertIn("selects no pod", " ".join(manifests.check_references(docs, set())))

    def test_a_probe_on_an_undeclared_port_fails(self):
        docs = self.prod()
        deployment = next(d for d in docs if d["kind"] == "Deployment" and d["metadata"]["name"] == "asset")
        deployment["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["httpGet"]["port"] = "metrics"
        self.assertIn("does not declare", " ".join(manifests.check_references(docs, set())))

    def test_placeholders_match_one_segment(self):
        patterns = ["OMS_KAFKA__PROPERTIES__<NAME>", "OMS_HTTP__ADDR"]
        self.assertTrue(manifests.documented("OMS_KAFKA__PROPERTIES__SASL_PASSWORD", patterns))
        self.assertFalse(manifests.documented("OMS_KAFKA__PROPERTIES", patterns))
        self.assertFalse(manifests.documented("OMS_HTTP__ADDRESS", patterns))


if __name__ == "__main__":
    unittest.main()
