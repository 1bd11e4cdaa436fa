#version 330 core
// levelTOP: on unpremultiplied colour, in this order: invert, contrast
// about 0.5, brightness added, gamma; then opacity scales the result.
in vec2 vUV;
uniform sampler2D uInput;
uniform float uBrightness, uContrast, uGamma, uOpacity, uInvert;
out vec4 fragColor;
void main() {
    vec4 c = texture(uInput, vUV);
    vec3 rgb = c.a > 0.0 ? c.rgb / c.a : vec3(0.0);
    rgb = mix(rgb, 1.0 - rgb, uInvert);
    rgb = (rgb - 0.5) * uContrast + 0.5 + uBrightness;
    rgb = pow(max(rgb, 0.0), vec3(1.0 / uGamma));
    float a = c.a * uOpacity;
    fragColor = vec4(rgb * a, a);
}
