// Package deploy holds the Kustomize manifests of parcours; its tests render
// every overlay with the Kustomize Go API and check what an operator relies
// on: one replica recreated, probes, the security context, the Secret
// references, the network policy, and each overlay's addition.
package deploy

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"
)

// object is the part of a manifest the tests read.
type object struct {
	Kind     string `json:"kind"`
	Metadata struct {
		Name   string            `json:"name"`
		Labels map[string]string `json:"labels"`
	} `json:"metadata"`
	Data map[string]string `json:"data"`
	Spec struct {
		Replicas *int `json:"replicas"`
		Strategy struct {
			Type          string `json:"type"`
			RollingUpdate *struct {
				MaxUnavailable any `json:"maxUnavailable"`
				MaxSurge       any `json:"maxSurge"`
			} `json:"rollingUpdate"`
		} `json:"strategy"`
		// PodDisruptionBudget
		MinAvailable any `json:"minAvailable"`
		Selector     struct {
			MatchLabels map[string]string `json:"matchLabels"`
		} `json:"selector"`
		Template struct {
			Metadata struct {
				Labels map[string]string `json:"labels"`
			} `json:"metadata"`
			Spec podSpec `json:"spec"`
		} `json:"template"`
		// Service
		Ports []struct {
			Name       string `json:"name"`
			Port       int    `json:"port"`
			TargetPort any    `json:"targetPort"`
		} `json:"ports"`
		// NetworkPolicy
		PodSelector *struct {
			MatchLabels map[string]string `json:"matchLabels"`
		} `json:"podSelector"`
		PolicyTypes []string `json:"policyTypes"`
		Egress      []any    `json:"egress"`
		// PersistentVolumeClaim
		AccessModes []string `json:"accessModes"`
		// ServiceMonitor
		Endpoints []struct {
			Port string `json:"port"`
			Path string `json:"path"`
		} `json:"endpoints"`
	} `json:"spec"`
}

type podSpec struct {
	AutomountServiceAccountToken *bool `json:"automountServiceAccountToken"`
	SecurityContext              struct {
		RunAsNonRoot   *bool `json:"runAsNonRoot"`
		RunAsUser      *int  `json:"runAsUser"`
		SeccompProfile struct {
			Type string `json:"type"`
		} `json:"seccompProfile"`
	} `json:"securityContext"`
	Containers []struct {
		Name    string   `json:"name"`
		Image   string   `json:"image"`
		Args    []string `json:"args"`
		EnvFrom []struct {
			ConfigMapRef struct {
				Name string `json:"name"`
			} `json:"configMapRef"`
		} `json:"envFrom"`
		Env []struct {
			Name      string `json:"name"`
			Value     string `json:"value"`
			ValueFrom *struct {
				SecretKeyRef *struct {
					Name string `json:"name"`
					Key  string `json:"key"`
				} `json:"secretKeyRef"`
			} `json:"valueFrom"`
		} `json:"env"`
		LivenessProbe  *probe `json:"livenessProbe"`
		ReadinessProbe *probe `json:"readinessProbe"`
		StartupProbe   *probe `json:"startupProbe"`
		Resources      struct {
			Requests map[string]string `json:"requests"`
			Limits   map[string]string `json:"limits"`
		} `json:"resources"`
		SecurityContext struct {
			AllowPrivilegeEscalation *bool `json:"allowPrivilegeEscalation"`
			ReadOnlyRootFilesystem   *bool `json:"readOnlyRootFilesystem"`
			RunAsNonRoot             *bool `json:"runAsNonRoot"`
			Privileged               *bool `json:"privileged"`
			Capabilities             struct {
				Drop []string `json:"drop"`
				Add  []string `json:"add"`
			} `json:"capabilities"`
		} `json:"securityContext"`
		VolumeMounts []struct {
			Name      string `json:"name"`
			MountPath string `json:"mountPath"`
		} `json:"volumeMounts"`
	} `json:"containers"`
	Volumes []struct {
		Name                  string `json:"name"`
		PersistentVolumeClaim *struct {
			ClaimName string `json:"claimName"`
		} `json:"persistentVolumeClaim"`
		Secret *struct {
			SecretName string `json:"secretName"`
		} `json:"secret"`
		EmptyDir *struct{} `json:"emptyDir"`
	} `json:"volumes"`
	Affinity *struct {
		PodAntiAffinity *struct {
			Preferred []struct {
				PodAffinityTerm struct {
					TopologyKey   string `json:"topologyKey"`
					LabelSelector struct {
						MatchLabels map[string]string `json:"matchLabels"`
					} `json:"labelSelector"`
				} `json:"podAffinityTerm"`
			} `json:"preferredDuringSchedulingIgnoredDuringExecution"`
		} `json:"podAntiAffinity"`
	} `json:"affinity"`
}

type probe struct {
	HTTPGet *struct {
		Path string `json:"path"`
		Port any    `json:"port"`
	} `json:"httpGet"`
}

// render runs kustomize build on a folder of deploy/.
func render(t *testing.T, dir string) map[string]*object {
	t.Helper()
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	m, err := k.Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		t.Fatalf("kustomize build %s: %v", dir, err)
	}
	out := map[string]*object{}
	for _, r := range m.Resources() {
		raw, err := r.AsYAML()
		if err != nil {
			t.Fatal(err)
		}
		var o object
		if err := yaml.Unmarshal(raw, &o); err != nil {
			t.Fatalf("%s: %v", r.CurId(), err)
		}
		key := o.Kind + "/" + o.Metadata.Name
		if out[key] != nil {
			t.Fatalf("%s twice", key)
		}
		out[key] = &o
	}
	return out
}

var overlays = []string{"base", "overlays/git-source", "overlays/monitoring", "overlays/ha"}

// Every overlay renders and keeps the base's guarantees.
func TestEveryOverlayKeepsTheBase(t *testing.T) {
	entries, err := os.ReadDir("overlays")
	if err != nil {
		t.Fatal(err)
	}
	if len(entries)+1 != len(overlays) {
		t.Fatalf("overlays on disk %v: list them in this test", entries)
	}
	for _, dir := range overlays {
		t.Run(dir, func(t *testing.T) {
			objs := render(t, dir)
			checkBase(t, objs, dir == "overlays/ha")
		})
	}
}

// checkBase checks the guarantees of the base; ha is the overlay on
// PostgreSQL, whose replicas, strategy and data volume differ (TestHAOverlay).
func checkBase(t *testing.T, objs map[string]*object, ha bool) {
	t.Helper()
	d := objs["Deployment/parcours"]
	if d == nil {
		t.Fatalf("no Deployment/parcours in %v", keys(objs))
	}
	if !ha && (d.Spec.Replicas == nil || *d.Spec.Replicas != 1 || d.Spec.Strategy.Type != "Recreate") {
		t.Errorf("replicas %v, strategy %q: want 1, Recreate (one writer of the bbolt store)", d.Spec.Replicas, d.Spec.Strategy.Type)
	}
	sel := d.Spec.Selector.MatchLabels
	if sel["app.kubernetes.io/name"] != "parcours" || d.Spec.Template.Metadata.Labels["app.kubernetes.io/name"] != "parcours" {
		t.Errorf("selector %v, pod labels %v", sel, d.Spec.Template.Metadata.Labels)
	}
	pod := d.Spec.Template.Spec
	if pod.AutomountServiceAccountToken == nil || *pod.AutomountServiceAccountToken {
		t.Error("the bot needs no Kubernetes API token: automountServiceAccountToken false")
	}
	psc := pod.SecurityContext
	if psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || psc.RunAsUser == nil || *psc.RunAsUser != 65532 || psc.SeccompProfile.Type != "RuntimeDefault" {
		t.Errorf("pod security context %+v", psc)
	}
	if len(pod.Containers) != 1 {
		t.Fatalf("%d containers", len(pod.Containers))
	}
	c := pod.Containers[0]
	if !strings.HasPrefix(c.Image, "registry.exemple.gouv.fr/cloud-pi-native/parcours:") || strings.Join(c.Args, " ") != "serve" {
		t.Errorf("image %q args %v", c.Image, c.Args)
	}
	sc := c.SecurityContext
	if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem ||
		sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot || (sc.Privileged != nil && *sc.Privileged) ||
		strings.Join(sc.Capabilities.Drop, ",") != "ALL" || len(sc.Capabilities.Add) > 0 {
		t.Errorf("container security context %+v", sc)
	}
	for name, p := range map[string]*probe{"liveness": c.LivenessProbe, "readiness": c.ReadinessProbe, "startup": c.StartupProbe} {
		want := map[string]string{"liveness": "/healthz", "readiness": "/readyz", "startup": "/healthz"}[name]
		if p == nil || p.HTTPGet == nil || p.HTTPGet.Path != want {
			t.Errorf("%s probe %+v, want GET %s", name, p, want)
		}
	}
	if c.Resources.Requests["memory"] == "" || c.Resources.Requests["cpu"] == "" || c.Resources.Limits["memory"] == "" {
		t.Errorf("resources %+v", c.Resources)
	}
	// The token comes from a Secret, never from the ConfigMap.
	token := false
	for _, e := range c.Env {
		if e.Name == "PARCOURS_MM_TOKEN" {
			token = e.Value == "" && e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil && e.ValueFrom.SecretKeyRef.Name == "parcours-mattermost"
		}
	}
	if !token {
		t.Error("PARCOURS_MM_TOKEN must come from the Secret parcours-mattermost")
	}
	if len(c.EnvFrom) != 1 || c.EnvFrom[0].ConfigMapRef.Name != "parcours-config" {
		t.Errorf("envFrom %+v", c.EnvFrom)
	}
	cm := objs["ConfigMap/parcours-config"]
	if cm == nil {
		t.Fatal("no ConfigMap/parcours-config")
	}
	for _, secret := range []string{"PARCOURS_MM_TOKEN", "PARCOURS_GIT_TOKEN", "PARCOURS_ACTION_KEY", "PARCOURS_COMMAND_TOKENS", "PARCOURS_DATABASE_URL"} {
		if _, ok := cm.Data[secret]; ok {
			t.Errorf("secret %s in the ConfigMap", secret)
		}
	}
	if cm.Data["PARCOURS_DATA_DIR"] != "/data" || cm.Data["PARCOURS_LISTEN"] != ":8080" {
		t.Errorf("ConfigMap %v", cm.Data)
	}
	// The data folder on the claim; /tmp writable over the read-only root.
	mounts := map[string]string{}
	for _, m := range c.VolumeMounts {
		mounts[m.MountPath] = m.Name
	}
	claim := ""
	for _, v := range pod.Volumes {
		if v.Name == mounts["/data"] && v.PersistentVolumeClaim != nil {
			claim = v.PersistentVolumeClaim.ClaimName
		}
	}
	if !ha && (claim == "" || objs["PersistentVolumeClaim/"+claim] == nil) || mounts["/tmp"] == "" || mounts["/data"] == "" {
		t.Errorf("mounts %v, claim %q", mounts, claim)
	}
	if pvc := objs["PersistentVolumeClaim/"+claim]; pvc != nil && strings.Join(pvc.Spec.AccessModes, ",") != "ReadWriteOnce" {
		t.Errorf("claim access modes %v", pvc.Spec.AccessModes)
	}
	svc := objs["Service/parcours"]
	if svc == nil || len(svc.Spec.Ports) != 1 || svc.Spec.Ports[0].Port != 8080 {
		t.Errorf("service %+v", svc)
	}
	np := objs["NetworkPolicy/parcours"]
	if np == nil || np.Spec.PodSelector == nil || np.Spec.PodSelector.MatchLabels["app.kubernetes.io/name"] != "parcours" ||
		strings.Join(np.Spec.PolicyTypes, ",") != "Ingress,Egress" || len(np.Spec.Egress) == 0 {
		t.Errorf("network policy %+v", np)
	}
}

func TestGitSourceOverlay(t *testing.T) {
	objs := render(t, "overlays/git-source")
	cm := objs["ConfigMap/parcours-config"]
	if !strings.Contains(cm.Data["PARCOURS_SOURCES"], "git+https://") || cm.Data["PARCOURS_GIT_TOKEN_FILE"] == "" {
		t.Fatalf("git source settings %v", cm.Data)
	}
	if objs["Secret/parcours-git"] == nil {
		t.Error("no Secret/parcours-git")
	}
	c := objs["Deployment/parcours"].Spec.Template.Spec.Containers[0]
	pod := objs["Deployment/parcours"].Spec.Template.Spec
	mounted := false
	for _, m := range c.VolumeMounts {
		if strings.HasPrefix(cm.Data["PARCOURS_GIT_TOKEN_FILE"], m.MountPath+"/") {
			for _, v := range pod.Volumes {
				mounted = mounted || v.Name == m.Name && v.Secret != nil && v.Secret.SecretName == "parcours-git"
			}
		}
	}
	if !mounted {
		t.Errorf("PARCOURS_GIT_TOKEN_FILE %s is not in the mounted Secret", cm.Data["PARCOURS_GIT_TOKEN_FILE"])
	}
	// The base's mounts survive the patch.
	if len(c.VolumeMounts) != 3 {
		t.Errorf("mounts %+v", c.VolumeMounts)
	}
}

// The ha overlay: two replicas on PostgreSQL, replaced one at a time with
// a new one ready first, at most one taken by a drain, spread over nodes; the
// database URL from a Secret; no bbolt volume left; PostgreSQL reachable
// through the network policy.
func TestHAOverlay(t *testing.T) {
	objs := render(t, "overlays/ha")
	d := objs["Deployment/parcours"]
	if d.Spec.Replicas == nil || *d.Spec.Replicas != 2 {
		t.Errorf("replicas %v, want 2", d.Spec.Replicas)
	}
	if ru := d.Spec.Strategy.RollingUpdate; d.Spec.Strategy.Type != "RollingUpdate" || ru == nil || fmt.Sprint(ru.MaxUnavailable) != "0" {
		t.Errorf("strategy %+v: want RollingUpdate with maxUnavailable 0", d.Spec.Strategy)
	}
	pdb := objs["PodDisruptionBudget/parcours"]
	if pdb == nil || fmt.Sprint(pdb.Spec.MinAvailable) != "1" {
		t.Fatalf("PodDisruptionBudget %+v: want minAvailable 1", pdb)
	}
	for k, v := range pdb.Spec.Selector.MatchLabels {
		if d.Spec.Template.Metadata.Labels[k] != v {
			t.Errorf("the PodDisruptionBudget selects %s=%s, the pods have %v", k, v, d.Spec.Template.Metadata.Labels)
		}
	}
	if len(pdb.Spec.Selector.MatchLabels) == 0 {
		t.Error("the PodDisruptionBudget selects nothing")
	}
	pod := d.Spec.Template.Spec
	c := pod.Containers[0]
	url := false
	for _, e := range c.Env {
		if e.Name == "PARCOURS_DATABASE_URL" {
			url = e.Value == "" && e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil &&
				objs["Secret/"+e.ValueFrom.SecretKeyRef.Name] != nil && e.ValueFrom.SecretKeyRef.Key == "url"
		}
	}
	if !url {
		t.Error("PARCOURS_DATABASE_URL must come from the Secret of the overlay, key url")
	}
	for k := range objs {
		if strings.HasPrefix(k, "PersistentVolumeClaim/") {
			t.Errorf("%s left: two replicas cannot share a ReadWriteOnce volume", k)
		}
	}
	for _, v := range pod.Volumes {
		if v.Name == "data" && (v.PersistentVolumeClaim != nil || v.EmptyDir == nil) {
			t.Errorf("data volume %+v: want an emptyDir", v)
		}
	}
	if a := pod.Affinity; a == nil || a.PodAntiAffinity == nil || len(a.PodAntiAffinity.Preferred) == 0 ||
		a.PodAntiAffinity.Preferred[0].PodAffinityTerm.TopologyKey != "kubernetes.io/hostname" {
		t.Errorf("affinity %+v: want the replicas on different nodes", pod.Affinity)
	}
	pg := false
	for _, e := range objs["NetworkPolicy/parcours"].Spec.Egress {
		pg = pg || strings.Contains(fmt.Sprint(e), "5432")
	}
	if !pg {
		t.Error("the network policy does not let the bot reach PostgreSQL (5432)")
	}
}

func TestMonitoringOverlay(t *testing.T) {
	objs := render(t, "overlays/monitoring")
	sm := objs["ServiceMonitor/parcours"]
	if sm == nil || len(sm.Spec.Endpoints) != 1 || sm.Spec.Endpoints[0].Path != "/metrics" || sm.Spec.Endpoints[0].Port != "http" {
		t.Fatalf("service monitor %+v", sm)
	}
	if sm.Spec.Selector.MatchLabels["app.kubernetes.io/name"] != objs["Service/parcours"].Metadata.Labels["app.kubernetes.io/name"] {
		t.Error("the ServiceMonitor does not select the Service")
	}
}

// Every PARCOURS_* variable the bot reads is documented in the ConfigMap
// (the README's table is checked in the bot's own module, internal/config).
func TestConfigMapDocumentsEveryVariable(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("base", "configmap.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	vars := codeVariables(t, "..")
	if len(vars) < 10 {
		t.Fatalf("only %d variables found in the code: %v", len(vars), vars)
	}
	for _, v := range vars {
		if !strings.Contains(string(doc), v+" ") && !strings.Contains(string(doc), v+":") {
			t.Errorf("%s is read by the bot but not documented in deploy/base/configmap.yaml", v)
		}
	}
}

func keys(m map[string]*object) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
